"""Embedded services for a machine with no servers: PostgreSQL (pgserver) and a folder broker.

Production sets DATABASE_URL and REDIS_URL and never touches this module. Without them,
`python -m cxsuite.embedded start` starts PostgreSQL once in `.data/pg` (the Makefile does
this before anything else); Django then connects through its socket directory. The server
is never stopped by the processes that use it (cleanup_mode=None): `python -m
cxsuite.embedded stop` stops it explicitly.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

# pgserver asks platformdirs for a runtime folder it does not use; the fallback is fine.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / ".data"
PG_DIR = DATA_DIR / "pg"
BROKER_DIR = DATA_DIR / "broker"


def postgres_socket_dir() -> str:
    """Start the embedded PostgreSQL if it is not running and return its socket directory."""
    import pgserver

    DATA_DIR.mkdir(exist_ok=True)
    server = pgserver.get_server(PG_DIR, cleanup_mode=None)
    return str(server.get_postmaster_info().socket_dir)


def postgres_ensure_database(name: str = "cxsuite") -> None:
    """Create the application database in the embedded server if it is missing."""
    import pgserver

    server = pgserver.get_server(PG_DIR, cleanup_mode=None)
    found = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';")
    if "(1 row)" not in found:
        server.psql(f'CREATE DATABASE "{name}";')


def postgres_running() -> bool:
    from pgserver.postgres_server import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(PG_DIR) if PG_DIR.exists() else None
    return info is not None and info.is_running()


def postgres_stop() -> bool:
    """Stop the embedded PostgreSQL; return False when it was not running."""
    import pgserver
    from pgserver.postgres_server import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(PG_DIR) if PG_DIR.exists() else None
    if info is None or not info.is_running():
        return False
    server = pgserver.get_server(PG_DIR, cleanup_mode=None)
    pgserver.pg_ctl(["-w", "stop"], pgdata=PG_DIR, user=server.system_user)
    return True


def broker_folders() -> dict[str, str]:
    """Folders of kombu's filesystem transport: web, worker and beat share the same ones."""
    root = Path(os.environ.get("BROKER_DIR") or BROKER_DIR)
    queue, processed, control = root / "queue", root / "processed", root / "control"
    for folder in (queue, processed, control):
        folder.mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "processed_folder": str(processed),
        "control_folder": str(control),
        "store_processed": False,
        "polling_interval": 0.1,
    }


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "start"
    if command == "start":
        socket_dir = postgres_socket_dir()
        postgres_ensure_database()
        print(f"embedded PostgreSQL ready (socket {socket_dir})")
        return 0
    if command == "status":  # exit 0 when running, for scripts
        running = postgres_running()
        print("embedded PostgreSQL " + ("running" if running else "not running"))
        return 0 if running else 1
    if command == "stop":
        print(
            "embedded PostgreSQL stopped" if postgres_stop() else "embedded PostgreSQL not running"
        )
        return 0
    print("usage: python -m cxsuite.embedded [start|status|stop]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
