"""What every bench shares: the bench database, Django set-up, timing statistics and tables.

The benches never touch the demo's data: they run against `cxsuite_bench` on the same server
the project would use (DATABASE_URL, or the embedded PostgreSQL when it is unset). The
settings honour DATABASE_NAME, so setting it in the environment before Django is set up (and
in the environment of every child process) is enough to point everything at that database.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE = "cxsuite_bench"
SETTINGS_MODULE = "cxsuite.settings"


# --- environment and database ------------------------------------------------------------------
def bench_env(**extra: str) -> dict[str, str]:
    """The environment of the bench and of every process it starts."""
    env = dict(os.environ)
    env.update(DATABASE_NAME=BENCH_DATABASE, DJANGO_SETTINGS_MODULE=SETTINGS_MODULE)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def server_description() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        import psycopg.conninfo

        info = psycopg.conninfo.conninfo_to_dict(url)
        return (
            f"PostgreSQL at {info.get('host', 'localhost')}:{info.get('port', 5432)} (DATABASE_URL)"
        )
    return "embedded PostgreSQL (pgserver, .data/pg)"


def _maintenance_conninfo() -> str:
    """How to reach the "postgres" database of the server the project uses."""
    import psycopg.conninfo

    url = os.environ.get("DATABASE_URL")
    if url:
        return psycopg.conninfo.make_conninfo(url, dbname="postgres")
    from cxsuite.embedded import postgres_socket_dir

    return psycopg.conninfo.make_conninfo(
        host=postgres_socket_dir(), user="postgres", dbname="postgres"
    )


def database_ensure() -> bool:
    """Create the bench database if it is missing; True when it was created."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(_maintenance_conninfo(), autocommit=True) as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DATABASE]
        ).fetchone()
        if found:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DATABASE)))
        return True


def database_bootstrap() -> None:
    """Migrate the public schema (and any tenant left over) of the bench database."""
    subprocess.run(
        [sys.executable, "manage.py", "bootstrap"],
        cwd=ROOT,
        env=bench_env(),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def prepare() -> None:
    """Create and bootstrap the bench database, then set Django up against it."""
    os.environ.update(DATABASE_NAME=BENCH_DATABASE, DJANGO_SETTINGS_MODULE=SETTINGS_MODULE)
    database_ensure()
    database_bootstrap()
    import django

    django.setup()


# --- small helpers -----------------------------------------------------------------------------
def free_port() -> int:
    """A TCP port nobody listens on right now (the kernel picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], pct: float) -> float:
    """The pct-th percentile (nearest rank) of the values."""
    ordered = sorted(values)
    rank = max(1, round(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def median(values: list[float]) -> float:
    return statistics.median(values)


# --- output ------------------------------------------------------------------------------------
@dataclass
class Section:
    """One bench's figures: a table (header + rows) and free text printed under it."""

    title: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def format_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        parts = []
        for i, cell in enumerate(cells):
            text = str(cell)
            # the first column is a label: left-aligned; figures are right-aligned
            parts.append(text.ljust(widths[i]) if i == 0 else text.rjust(widths[i]))
        return "  " + "   ".join(parts).rstrip()

    rule = "  " + "   ".join("-" * width for width in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def print_section(section: Section) -> None:
    print()
    print(section.title)
    print("=" * len(section.title))
    print(format_table(section.header, section.rows))
    for note in section.notes:
        print()
        print(note)
    sys.stdout.flush()


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"
