"""`pg_dump` of one business's schema in the test database, as another connection sees it.

The binary must be at least as new as the server: the embedded PostgreSQL (pgserver) brings
its own, a machine's PostgreSQL has one on the PATH or under /usr/lib/postgresql. A test that
needs it is skipped only when none fits; CI sets CXSUITE_REQUIRE_PG_DUMP=1, so a missing
pg_dump fails there instead.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

REQUIRED = "CXSUITE_REQUIRE_PG_DUMP"


def _candidates() -> Iterator[str]:
    """The PATH's pg_dump, pgserver's (found without importing it), then the machine's."""
    yield shutil.which("pg_dump") or ""
    spec = importlib.util.find_spec("pgserver")
    if spec is not None and spec.origin:
        yield str(Path(spec.origin).parent / "pginstall" / "bin" / "pg_dump")
    yield from sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"), reverse=True)


def _major(binary: str) -> int:
    """15 for "pg_dump (PostgreSQL) 15.20 (Debian ...)"; 0 when it does not run."""
    try:
        out = subprocess.run(
            [binary, "--version"], capture_output=True, text=True, timeout=10, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return 0
    match = re.search(r"\)\s*(\d+)", out)
    return int(match.group(1)) if match else 0


def pg_dump_binary() -> str:
    """A pg_dump that can dump the test database's server, or skip (fail under CI)."""
    server = connection.pg_version // 10000
    for binary in _candidates():
        if binary and os.access(binary, os.X_OK) and _major(binary) >= server:
            return binary
    reason = f"no pg_dump of PostgreSQL {server} or newer was found"
    if os.environ.get(REQUIRED):
        pytest.fail(f"{reason} ({REQUIRED} is set)")
    pytest.skip(reason)


def pg_dump_schema(schema: str) -> str:
    """The data of every table in `schema` as pg_dump writes it (COPY blocks)."""
    binary = pg_dump_binary()
    settings = connection.settings_dict
    command = [binary, f"--schema={schema}", "--data-only", "--no-owner"]
    if settings.get("HOST"):
        command += ["--host", str(settings["HOST"])]
    if settings.get("PORT"):
        command += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        command += ["--username", str(settings["USER"])]
    command += ["--dbname", str(settings["NAME"])]
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout
