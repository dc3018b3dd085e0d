"""API throughput: what tenancy costs an authenticated API request.

Each server below is a gunicorn with the same options on this machine; they are started side
by side and loaded by wrk one at a time (the others idle), with the same connections and
duration, after a warm-up, in four short rounds taken in turn; each server's best round counts:

- the real API: GET /api/v1/me/ on the host of a real business ("benchco"), authenticated
  with an API key, through the project's middleware (CachedTenantMiddleware first);
- the same request with django-tenants' stock TenantMainMiddleware, which looks the host up
  in the database on every request (bench/stock_settings.py): the value of the cache;
- a bare DRF view with no tenant middleware, no authentication, permission or throttle and
  no database query, answering the same JSON (bench/bare_settings.py): the ceiling;
- as a diagnostic, that bare view behind the project's other middleware
  (bench/bare_stack_settings.py), which splits the gap between the generic middleware and
  what tenancy plus API-key authentication cost.

The figure that matters is the real API's requests per second as a share of the bare view's
(target: at least 85 %). Rate limiting is lifted (API_RATE_LIMIT) so it never answers 429.
Without wrk a threaded Python load generator is used instead, and the output says so.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import (
    ROOT,
    Gunicorn,
    Load,
    Section,
    bench_env,
    http_get,
    verdict,
    wrk_load,
)

SLUG = "benchco"
HOST = f"{SLUG}.localhost"
PATH = "/api/v1/me/"
GUNICORN_OPTIONS = ["--workers", "2", "--threads", "1", "--worker-class", "sync"]
CONNECTIONS = 16
WARMUP_SECONDS = 2
DURATION_SECONDS = 5
ROUNDS = 4
TARGET_RATIO = 0.85
RATE_LIMIT = str(10**9)
SMOKE = {
    "GUNICORN_OPTIONS": ["--workers", "1", "--threads", "1", "--worker-class", "sync"],
    "CONNECTIONS": 2,
    "WARMUP_SECONDS": 1,
    "DURATION_SECONDS": 1,
    "ROUNDS": 1,
}


@dataclass
class Target:
    label: str
    settings_module: str


REAL = Target("tenant API, CachedTenantMiddleware", "cxsuite.settings")
STOCK = Target("tenant API, stock TenantMainMiddleware", "bench.stock_settings")
BARE = Target("bare DRF view, no tenant middleware", "bench.bare_settings")
BARE_STACK = Target("  (bare view + project API stack, no tenant)", "bench.bare_stack_settings")
TARGETS = (REAL, STOCK, BARE, BARE_STACK)


# --- the business and its key ------------------------------------------------------------------
def _tenant_delete() -> None:
    from django.db import connection

    from apps.tenants.models import Tenant

    connection.set_schema_to_public()
    for tenant in Tenant.objects.filter(slug=SLUG):
        tenant.delete(force_drop=True)


def _tenant_with_key() -> str:
    """Create the bench business (afresh) and an API key of it; return the raw key."""
    from django_tenants.utils import schema_context

    from apps.accounts.services import api_key_create
    from apps.tenants.services import tenant_create

    _tenant_delete()
    tenant = tenant_create(
        name="Bench Co",
        slug=SLUG,
        owner_name="Bench Owner",
        owner_email="owner@benchco.example",
        owner_password="bench-owner-pass-2026",
    )
    with schema_context(tenant.schema_name):
        _, raw_key = api_key_create(name="bench", scopes=["read"], created_by=None)
    return raw_key


# --- load generators ---------------------------------------------------------------------------
def _wrk(port: int, headers: dict[str, str], seconds: int) -> Load:
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{port}{PATH}")
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return wrk_load(output)


def _python_load(port: int, headers: dict[str, str], seconds: int) -> Load:
    """A threaded load generator for machines without wrk (slower: it shares the GIL)."""
    deadline = time.monotonic() + seconds
    counts = {"ok": 0, "errors": 0}
    lock = threading.Lock()

    def worker() -> None:
        ok = errors = 0
        while time.monotonic() < deadline:
            try:
                status, _ = http_get(port, PATH, headers)
            except OSError:
                errors += 1
                continue
            if 200 <= status < 400:
                ok += 1
            else:
                errors += 1
        with lock:
            counts["ok"] += ok
            counts["errors"] += errors

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return Load((counts["ok"] + counts["errors"]) / elapsed, counts["errors"])


def _measure_all(headers: dict[str, str], log_dir: Path) -> dict[str, Load]:
    """Start every server, then load them in turn, ROUNDS times; keep each one's best round.

    Alternating the servers and keeping the best round keeps a burst of load from something
    else on the machine from deciding the comparison.
    """
    load = _wrk if shutil.which("wrk") else _python_load
    best: dict[str, Load] = {}
    with contextlib.ExitStack() as stack:
        servers = {
            target.label: stack.enter_context(
                Gunicorn(
                    target.settings_module,
                    log_dir,
                    options=GUNICORN_OPTIONS,
                    env={"API_RATE_LIMIT": RATE_LIMIT},
                )
            )
            for target in TARGETS
        }
        for target in TARGETS:
            body = servers[target.label].wait_ready(PATH, headers)
            if b'"business"' not in body:
                raise RuntimeError(f"{target.label}: unexpected answer {body[:300]!r}")
            load(servers[target.label].port, headers, WARMUP_SECONDS)
        for _round in range(ROUNDS):
            for target in TARGETS:
                result = load(servers[target.label].port, headers, DURATION_SECONDS)
                previous = best.get(target.label)
                if previous is None or result.requests_per_second > previous.requests_per_second:
                    best[target.label] = result
    return best


def _in_process(target: Target, headers: dict[str, str]) -> float:
    """Microseconds per request through the WSGI application, without HTTP (api_inprocess)."""
    env = bench_env(
        DJANGO_SETTINGS_MODULE=target.settings_module,
        API_RATE_LIMIT=RATE_LIMIT,
        BENCH_HOST=HOST,
        BENCH_AUTHORIZATION=headers["Authorization"],
    )
    result = subprocess.run(
        [sys.executable, "-m", "bench.api_inprocess"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{target.label}: {result.stderr[-2000:]}")
    return float(result.stdout.strip().splitlines()[-1])


# --- the bench ---------------------------------------------------------------------------------
def run() -> Section:
    tool = (
        f"wrk -t1 -c{CONNECTIONS} -d{DURATION_SECONDS}s after a {WARMUP_SECONDS} s warm-up"
        if shutil.which("wrk")
        else f"wrk NOT FOUND: a threaded Python load generator ({CONNECTIONS} threads, "
        f"{DURATION_SECONDS} s after a {WARMUP_SECONDS} s warm-up), slower than wrk"
    )
    raw_key = _tenant_with_key()
    headers = {"Host": HOST, "Authorization": f"Bearer {raw_key}"}
    try:
        with tempfile.TemporaryDirectory(prefix="cxsuite-bench-") as log_dir:
            results = _measure_all(headers, Path(log_dir))
        in_process = {target.label: _in_process(target, headers) for target in (REAL, BARE)}
    finally:
        _tenant_delete()

    bare = results[BARE.label].requests_per_second
    stack = results[BARE_STACK.label].requests_per_second
    section = Section(
        title=f"3. API throughput: GET {PATH} on http://{HOST}",
        header=["server", "requests/s", "of bare", "errors", f"target >= {TARGET_RATIO:.0%}"],
    )
    for target in TARGETS:
        load = results[target.label]
        ratio = load.requests_per_second / bare if bare else 0.0
        section.rows.append(
            [
                target.label,
                f"{load.requests_per_second:,.0f}",
                f"{ratio:.0%}",
                str(load.errors),
                verdict(ratio >= TARGET_RATIO) if target is REAL else "",
            ]
        )
    real = results[REAL.label].requests_per_second
    section.notes.append(
        f"  servers: gunicorn {' '.join(GUNICORN_OPTIONS)}, the same for each\n"
        f"  load:    {tool};\n"
        f"           one server at a time, {ROUNDS} rounds in turn, each server's best round shown\n"
        f"  tenant API: business '{SLUG}', API key in 'Authorization: Bearer', "
        f"API_RATE_LIMIT={RATE_LIMIT}\n"
        f"  The last line is a diagnostic (bench/bare_stack_settings.py): the bare view behind\n"
        f"  the project's middleware minus the tenant one. The tenant API reaches "
        f"{real / stack:.0%} of it;\n"
        f"  that part of the gap is tenancy, API-key authentication and the rate limiter.\n"
        f"  In process, without HTTP (bench/api_inprocess.py, best of 7 x 2,000 requests): "
        f"tenant API {in_process[REAL.label]:.0f} us, bare view {in_process[BARE.label]:.0f} us "
        f"per request.\n"
        f"  On a shared virtual machine requests per second can swing by a tenth between runs;"
        f"\n  the in-process times are the steadier comparison."
    )
    return section
