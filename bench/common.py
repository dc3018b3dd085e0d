"""What every bench shares: the bench database, Django set-up, timing statistics and tables.

The benches never touch the demo's data: they run against `cxsuite_bench` on the same server
the project would use (DATABASE_URL, or the embedded PostgreSQL when it is unset). In smoke
mode (`bench/run.py --smoke`, run by `make test`) every bench runs at tiny sizes (each module's
SMOKE) against a database of its own, made afresh, so a bench that no longer runs fails there. The
settings honour DATABASE_NAME, so setting it in the environment before Django is set up (and
in the environment of every child process) is enough to point everything at that database.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# a checkout of its own: BENCH_DATABASE_NAME
BENCH_DATABASE = (
    os.environ.get("BENCH_DATABASE_NAME") or os.environ.get("BENCH_DATABASE") or "cxsuite_bench"
)
SETTINGS_MODULE = "cxsuite.settings"
SMOKE_ENV = "BENCH_SMOKE"  # "1": every bench (and the processes it starts) at its SMOKE sizes


# --- smoke mode --------------------------------------------------------------------------------
def smoke() -> bool:
    return os.environ.get(SMOKE_ENV) == "1"


def smoke_database() -> str:
    """The smoke run's own database, made afresh each time: a second test run with its own
    TEST_DATABASE_NAME gets its own one too."""
    test_name = os.environ.get("TEST_DATABASE_NAME")
    return f"{test_name}_bench" if test_name else "cxsuite_bench_smoke"


def smoke_start() -> None:
    """Switch this process and its children to smoke mode and the smoke database."""
    global BENCH_DATABASE
    os.environ[SMOKE_ENV] = "1"
    BENCH_DATABASE = smoke_database()


def smoke_apply(module) -> None:
    """In smoke mode, replace a bench module's sizes by its SMOKE ones (module constants the
    bench reads when it runs)."""
    if not smoke():
        return
    for name, value in module.SMOKE.items():
        if not hasattr(module, name):
            raise AttributeError(f"{module.__name__}.SMOKE names {name}, which it does not have")
        setattr(module, name, value)


# --- environment and database ------------------------------------------------------------------
def bench_env(**extra: str) -> dict[str, str]:
    """The environment of the bench and of every process it starts. Byte code is cached as
    on a deployed machine (`pip install` and the first start write it): a shell that sets
    PYTHONDONTWRITEBYTECODE would otherwise add half a second of compiling to every process
    start the bench times."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
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


def database_ensure(*, fresh: bool = False) -> bool:
    """Create the bench database if it is missing (dropped first when `fresh`); True when it
    was created."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(_maintenance_conninfo(), autocommit=True) as conn:
        if fresh:
            name = sql.Identifier(BENCH_DATABASE)
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
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
    """Create and bootstrap the bench database (a fresh one in smoke mode, which proves the
    benches run on an empty database), then set Django up against it."""
    os.environ.update(DATABASE_NAME=BENCH_DATABASE, DJANGO_SETTINGS_MODULE=SETTINGS_MODULE)
    database_ensure(fresh=smoke())
    database_bootstrap()
    import django

    django.setup()


# --- bench data --------------------------------------------------------------------------------
def insert_select(model, schema: str, values: dict[str, str]) -> str:
    """`INSERT INTO <schema>.<table> (...) SELECT ...` naming every column of the model: the
    SQL expression in `values` for the columns the bench varies, and for every other one its
    default (a creation time is now(), a nullable column without one NULL). A column added to
    the model later is filled the way the ORM fills it, so set-based bench data never falls
    behind the table. Append the FROM clause."""
    from django.db import connection
    from django.db.models import NOT_PROVIDED
    from psycopg import sql

    columns, expressions = [], []
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key or f.generated)
        and (f.db_default is NOT_PROVIDED or f.column in values)
    ]  # a column with a database default (a timeline event's txid) takes it
    unknown = set(values) - {f.column for f in fields}
    if unknown:
        raise ValueError(f"{model._meta.db_table} has no column {', '.join(sorted(unknown))}")
    connection.ensure_connection()
    for column in fields:
        if column.column in values:
            expression = values[column.column]
        elif getattr(column, "auto_now", False) or getattr(column, "auto_now_add", False):
            expression = "now()"
        else:
            default = column.get_default()  # what the ORM writes: the default, "" or None
            if default is None and not column.null:
                raise ValueError(
                    f"the bench data of {model._meta.db_table} gives no value for"
                    f" {column.column}, which has no default"
                )
            prepared = column.get_db_prep_save(default, connection)
            literal = sql.Literal(prepared).as_string(connection.connection)
            expression = f"{literal}::{column.db_type(connection)}"
        columns.append(connection.ops.quote_name(column.column))
        expressions.append(expression)
    table = f'"{schema}".{connection.ops.quote_name(model._meta.db_table)}'
    select = ",\n       ".join(expressions)
    return f"INSERT INTO {table} ({', '.join(columns)})\nSELECT {select}\n"


# --- small helpers -----------------------------------------------------------------------------
@dataclass
class Counted:
    queries: int = 0


def test_environment_ensure() -> None:
    """Django's test environment for benches that use the test client (set up once per run:
    a second `setup_test_environment()` raises)."""
    from django.test.utils import _TestState, setup_test_environment

    if not hasattr(_TestState, "saved_data"):
        setup_test_environment()


@contextmanager
def queries_counted() -> Iterator[Counted]:
    """What Django's query log records inside the block (statements, BEGIN and COMMIT), counted
    from zero with no limit: the log itself keeps only the last 9,000 entries, so it
    under-counts a big batch and counts nothing once an earlier bench has filled it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counted = Counted()
    kept = connection.queries_log
    connection.queries_log = deque()
    try:
        with CaptureQueriesContext(connection) as captured:
            yield counted
        counted.queries = len(captured.captured_queries)
    finally:
        connection.queries_log = kept


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


# --- a real server and wrk ---------------------------------------------------------------------
def http_get(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# --- CPU time of processes (Linux /proc) -------------------------------------------------------
def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU time a process has used so far; None when /proc cannot tell."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    """The process and its children (a gunicorn master and its workers)."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == pid:
                children.append(int(entry.name))
    return [pid, *children]


def local_postgres_backends(database: str) -> list[int]:
    """The server processes serving other connections to `database`, when the server runs on
    this machine (else none: their CPU time cannot be read from here)."""
    import psycopg

    with psycopg.connect(_maintenance_conninfo()) as conn:
        pids = [
            row[0]
            for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s"
                " AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
                [database],
            )
        ]
    local = []
    for pid in pids:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"postgres" in command:
            local.append(pid)
    return local


def procfile_web_options(procfile: Path = ROOT / "Procfile") -> list[str]:
    """The gunicorn options the Procfile's web process runs with in production (workers,
    threads, logging), the variables it reads taken from the environment or their defaults
    (`${WEB_CONCURRENCY:-2}`); without the application and the address, which the bench
    gives."""
    import shlex

    line = next(
        line for line in procfile.read_text().splitlines() if line.startswith("web:")
    ).removeprefix("web:")
    line = re.sub(r"\$\{(\w+):-([^}]*)\}", lambda found: os.environ.get(found[1]) or found[2], line)
    words = shlex.split(line)
    if words[:2] != ["gunicorn", "cxsuite.wsgi"]:
        raise RuntimeError(f"the Procfile's web process is not gunicorn cxsuite.wsgi: {line}")
    options = []
    rest = iter(words[2:])
    for word in rest:
        if word in ("--bind", "-b"):
            next(rest)  # the bench binds a free port of its own
        else:
            options.append(word)
    return options


class Gunicorn:
    """A gunicorn serving the project's WSGI application with one settings module, started
    with `options` (workers, worker class) and `env` added to the bench's environment."""

    def __init__(
        self,
        settings_module: str,
        log_dir: Path,
        *,
        options: list[str],
        env: dict[str, str] | None = None,
    ):
        self.settings_module = settings_module
        self.options = list(options)
        self.env = dict(env or {})
        self.port = free_port()
        self.log_path = log_dir / f"gunicorn-{settings_module}.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        env = bench_env(DJANGO_SETTINGS_MODULE=self.settings_module, **self.env)
        command = [
            str(Path(sys.executable).with_name("gunicorn")),
            *self.options,
            "--bind",
            f"127.0.0.1:{self.port}",
            "--chdir",
            str(ROOT),
            "--pythonpath",
            str(ROOT),
            "--log-level",
            "warning",
            "cxsuite.wsgi:application",
        ]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        return self

    def wait_ready(self, path: str, headers: dict[str, str], timeout: float = 30) -> bytes:
        """Wait until GET `path` answers 200; return that answer's body."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                break
            try:
                status, body = http_get(self.port, path, headers)
            except OSError as exc:
                last = str(exc)
            else:
                if status == 200:
                    return body
                last = f"HTTP {status}: {body[:300]!r}"
            time.sleep(0.2)
        raise RuntimeError(
            f"gunicorn ({self.settings_module}) not ready: {last}\n{self.log_tail()}"
        )

    def log_tail(self, skip: re.Pattern[str] | None = None) -> str:
        """The last 20 lines of the server's log, without those `skip` finds."""
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        if skip is not None:
            lines = [line for line in lines if not skip.search(line)]
        return "\n".join(lines[-20:])

    def __exit__(self, *exc_info) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class Load:
    requests_per_second: float
    errors: int  # non-2xx answers and socket errors


def wrk_load(output: str) -> Load:
    """Requests per second and errors from wrk's output."""
    found = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not found:
        raise RuntimeError(f"cannot read Requests/sec in wrk's output:\n{output}")
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if socket_errors:
        # gunicorn's sync workers close each connection after answering, which wrk counts as
        # read errors; connect, write and timeout errors are real failures
        connect, _read, write, timeout = map(int, socket_errors.groups())
        errors += connect + write + timeout
    return Load(float(found.group(1)), errors)


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
