"""Loyalty's nightly run at scale: 100,000 members holding 1,000,000 point lots, half of
them due to expire, and one member in ten in a tier the nightly run re-checks.

1. Measures the expiry (set-based SQL: the due lots drop to zero, one expire entry and one
timeline event per member, the balances move with them; target under 60 s together with
the tier run) and the nightly tier evaluation, then checks the books still balance (balance
= ledger sum = lots' remaining for every member, one SQL query).

Measured on the shared 2-core machine (under load from other work): the expiry about 30 s,
in chunks of 10,000 members (each one transaction: the lots, entries and balances in one
statement, the members' timeline events in one INSERT ... SELECT through the CRM's
`events_record_many`); the tier run about 1 s. Before, the events went through
`events_ingest` in batches of 1,000 and took about 150 s on their own.

2. Earn operations per second through the API as it is served (target: at least 200/s): a
gunicorn started with the options of the Procfile's web process (what production runs: 2
processes of 4 threads unless WEB_CONCURRENCY says otherwise; GUNICORN_OPTIONS to try
others) serves the project's WSGI application with its settings (persistent database
connections), and wrk, driven by a small Lua script, posts {"points": 10} to
POST /api/v1/loyalty/members/<id>/earn/ over EARN_MEMBERS members, each request with the API
key and an Idempotency-Key of its own, from EARN_CONNECTIONS connections: a warm-up, then
EARN_ROUNDS rounds; the best and the median round are shown. Without wrk a threaded Python
load generator posts the same requests over HTTP instead, and the output says so. The
machine is shared, so each round also gives the CPU time per earn of the gunicorn processes
and of the PostgreSQL backends serving them (from /proc, when the server runs here), how
busy the whole machine was and its load average. Before that, SINGLE_EARNS earns one after
the other through the WSGI application in process give the milliseconds, SQL statements and
CPU time of one earn alone.

Measured on the shared 2-core machine (load average 3 to 7 from other work): an earn took
11 to 13 ms of CPU (8 to 9 in gunicorn, 3.3 in PostgreSQL) in 11 round trips to PostgreSQL
(the member locked through an ORM query compiled on every request, the program, the checks
and the day's flag each read apart) and a Celery message per earn; 2 sync workers served
78-85/s. Now 5.6 to 7.3 ms (3.5 to 4.7 gunicorn, 2.1 to 2.6 PostgreSQL) in 8 round trips
(Django's health check, BEGIN, the Idempotency-Key's record, the member locked with the
program, the checks with the write, the timeline event, the answer kept, COMMIT), and the
Procfile's gunicorn served 149-177/s with the 1.1 to 1.3 cores the other work left it.

Afterwards every earn is checked to have counted once: the ledger entries written during the
run are all earns with distinct keys, as many as the 201 answers (plus at most the requests
wrk cut off at the end of a run, which the server may still have earned), their points move
the members' balances by as much, and the books balance again.

The members, lots and ledger are generated with set-based SQL in the CRM bench business
(bench/contacts.py) and made afresh on every run, since the run changes them.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench import api_throughput, common
from bench.common import (
    Gunicorn,
    Section,
    insert_select,
    local_postgres_backends,
    process_cpu_seconds,
    process_tree,
    procfile_web_options,
    verdict,
    wrk_load,
)

MEMBERS = 100_000
LOTS_PER_MEMBER = 10
TIERED_EVERY = 10  # one member in ten holds a tier
TARGET = 60.0
EARN_BODY = {"points": 10}
EARN_CONNECTIONS = 16
EARN_WARMUP_SECONDS = 2
EARN_SECONDS = 5
EARN_ROUNDS = 3
EARN_MEMBERS = 2_000
EARN_TARGET = 200.0
GUNICORN_OPTIONS: list[str] | None = None  # None: the Procfile's web process (production)
SINGLE_EARNS = 300  # one after the other first: ms and SQL statements per earn, unloaded
SMOKE = {
    "MEMBERS": 200,
    "EARN_CONNECTIONS": 2,
    "EARN_WARMUP_SECONDS": 1,
    "EARN_SECONDS": 1,
    "EARN_ROUNDS": 1,
    "EARN_MEMBERS": 20,
    "SINGLE_EARNS": 5,
}


def _generate(schema: str, members: int) -> None:
    """Members (one per bench contact), 10 lots each (the first five past their expiry) and
    the earn entry behind every lot."""
    from django.db import connection, transaction

    from apps.loyalty.models import LedgerEntry, Member, PointLot, Program, Tier

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'TRUNCATE "{schema}".loyalty_member CASCADE')
        cursor.execute(f'TRUNCATE "{schema}".loyalty_tier CASCADE')
        cursor.execute(f'TRUNCATE "{schema}".loyalty_program RESTART IDENTITY CASCADE')
        cursor.execute(insert_select(Program, schema, {"tiers_enabled": "true"}))
        cursor.execute(insert_select(Tier, schema, {"name": "'Silver'", "threshold": "500"}))
        cursor.execute(
            insert_select(
                Member,
                schema,
                {
                    "contact_id": "c.id",
                    "balance": str(100 * LOTS_PER_MEMBER),
                    "member_since": "now() - interval '400 days'",
                    "referral_code": "'B' || c.id",
                    "tier_id": (
                        f"CASE WHEN c.id %% {TIERED_EVERY} = 0 THEN"
                        f' (SELECT id FROM "{schema}".loyalty_tier LIMIT 1) END'
                    ),
                },
            )
            + f'FROM (SELECT id FROM "{schema}".contacts_contact ORDER BY id LIMIT %s) AS c',
            [members],
        )
        cursor.execute(
            insert_select(
                LedgerEntry,
                schema,
                {
                    "member_id": "m.id",
                    "kind": "'earn'",
                    "points": "100",
                    "balance_after": "100 * k",
                    "occurred_at": "now() - (interval '1 day' * (400 - k))",
                    "source": "'staff'",
                },
            )
            + f'FROM "{schema}".loyalty_member AS m'
            f" CROSS JOIN generate_series(1, {LOTS_PER_MEMBER}) AS k"
        )
        cursor.execute(
            insert_select(
                PointLot,
                schema,
                {
                    "member_id": "e.member_id",
                    "entry_id": "e.id",
                    "amount": "100",
                    "remaining": "100",
                    "earned_at": "e.occurred_at",
                    "expires_at": (
                        "CASE WHEN e.balance_after <= 500 THEN now() - interval '1 day'"
                        " ELSE now() + interval '30 days' END"
                    ),
                    "source": "'staff'",
                },
            )
            + f'FROM "{schema}".loyalty_ledgerentry AS e'
        )
        cursor.execute(f'ANALYZE "{schema}".loyalty_pointlot')
        cursor.execute(f'ANALYZE "{schema}".loyalty_ledgerentry')


def _books_balance(schema: str) -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT count(*) FROM "{schema}".loyalty_member AS m
            WHERE m.balance <> (SELECT coalesce(sum(points), 0)
                                FROM "{schema}".loyalty_ledgerentry WHERE member_id = m.id)
               OR m.balance <> (SELECT coalesce(sum(remaining), 0)
                                FROM "{schema}".loyalty_pointlot WHERE member_id = m.id)
               OR m.balance < 0"""
        )
        return cursor.fetchone()[0] == 0


def _call(app, host: str, path: str, key: str, body: bytes, idempotency_key: str):
    """One POST through the WSGI application, as a server would make it."""
    import io
    import sys

    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": host,
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host,
        "HTTP_AUTHORIZATION": f"Bearer {key}",
        "HTTP_IDEMPOTENCY_KEY": idempotency_key,
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    status: list[str] = []
    chunks = app(environ, lambda s, headers, exc_info=None: status.append(s))
    try:
        payload = b"".join(chunks)
    finally:
        getattr(chunks, "close", lambda: None)()
    return int(status[0][:3]), payload


_LUA = """
-- POST {"points": 10} to the earn endpoint of member after member, each request with an
-- Idempotency-Key of its own (the run's prefix, the thread, a counter); counts the answers.
local members = {%(members)s}
local threads = {}
local counter = 0

function setup(thread)
  thread:set("thread_no", #threads)
  table.insert(threads, thread)
end

function init(args)
  prefix = args[1]
  created = 0
  other = 0
end

function request()
  counter = counter + 1
  local member = members[(counter * 7 + thread_no) %% #members + 1]
  local headers = {
    ["Host"] = "%(host)s",
    ["Authorization"] = "Bearer %(key)s",
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = prefix .. "-" .. thread_no .. "-" .. counter,
  }
  return wrk.format("POST", "/api/v1/loyalty/members/" .. member .. "/earn/", headers,
                    '%(body)s')
end

function response(status, headers, body)
  if status == 201 then created = created + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local c, o = 0, 0
  for _, thread in ipairs(threads) do
    c = c + thread:get("created")
    o = o + thread:get("other")
  end
  io.write(string.format("earn-created: %%d\\nearn-other: %%d\\nearn-micros: %%d\\n",
                         c, o, summary.duration))
end
"""


# the access log's lines for the earns that went well (the Procfile's gunicorn logs every
# request); what is left of the log is worth showing when something failed
_ANSWERED = re.compile(r'"POST /api/v1/loyalty/members/\d+/earn/ HTTP/1\.1" 201 ')


@dataclass
class Round:
    created: int  # 201 answers the load generator received
    errors: int  # other answers and failed requests
    seconds: float
    cpu: Cpu | None = None  # what the server used meanwhile


@dataclass
class Cpu:
    """CPU seconds used during a round by the gunicorn processes and by the PostgreSQL
    backends serving them (None: the server runs elsewhere), the machine's busy CPU seconds
    (every process, the other work on it included), and the load average at the end."""

    web: float
    database: float | None
    machine: float
    load: tuple[float, float, float]


class CpuMeter:
    """Reads the CPU time of the server's processes before and after a round."""

    def __init__(self, server_pid: int):
        self.server_pid = server_pid

    def _now(self) -> tuple[dict[int, float], dict[int, float], float]:
        web = {pid: process_cpu_seconds(pid) for pid in process_tree(self.server_pid)}
        database = {
            pid: process_cpu_seconds(pid) for pid in local_postgres_backends(common.BENCH_DATABASE)
        }
        return (
            {pid: t for pid, t in web.items() if t is not None},
            {pid: t for pid, t in database.items() if t is not None},
            _machine_busy_seconds(),
        )

    def start(self) -> None:
        self.before = self._now()

    def stop(self) -> Cpu:
        web0, db0, busy0 = self.before
        web1, db1, busy1 = self._now()
        # a process that started during the round counts from zero
        web = sum(t - web0.get(pid, 0.0) for pid, t in web1.items())
        database = sum(t - db0.get(pid, 0.0) for pid, t in db1.items()) if db1 else None
        return Cpu(web, database, busy1 - busy0, os.getloadavg())


def _cpu_text(web_ms: float, database_ms: float | None) -> str:
    if database_ms is None:
        return f"{web_ms:.2f} ms web (PostgreSQL not measured)"
    return f"{web_ms:.2f} + {database_ms:.2f} = {web_ms + database_ms:.2f} ms web + PostgreSQL"


def _machine_busy_seconds() -> float:
    """CPU seconds every core spent busy since boot (/proc/stat: all but idle and iowait)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0.0
    ticks = [int(value) for value in fields]
    busy = sum(ticks) - ticks[3] - ticks[4]  # idle, iowait
    busy -= sum(ticks[8:])  # guest time is counted in user time already
    return busy / os.sysconf("SC_CLK_TCK")


def _wrk_round(port: int, script: str, prefix: str, seconds: int) -> Round:
    """One wrk run of `seconds` with the earn script."""
    # a request that waits behind a worker's first one (which imports the URL confs) is late,
    # not lost: wrk's default of 2 s would count it an error and drop its answer
    command = ["wrk", "-t1", f"-c{EARN_CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s"]
    command += ["-s", script]
    command += [f"http://127.0.0.1:{port}/", "--", prefix]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    figures = dict(re.findall(r"^earn-(\w+): (\d+)$", output, re.MULTILINE))
    if set(figures) != {"created", "other", "micros"}:
        raise RuntimeError(f"cannot read the earn script's counts in wrk's output:\n{output}")
    errors = max(int(figures["other"]), wrk_load(output).errors)
    return Round(int(figures["created"]), errors, int(figures["micros"]) / 1e6)


def _python_round(port: int, host: str, key: str, members: list[int], prefix: str, seconds: int):
    """The same load from EARN_CONNECTIONS Python threads (without wrk; slower: the threads
    share the GIL with each other, not with the server)."""
    deadline = time.monotonic() + seconds
    counts = {"created": 0, "errors": 0}
    lock = threading.Lock()
    body = json.dumps(EARN_BODY)

    def worker(n: int) -> None:
        created = errors = i = 0
        while time.monotonic() < deadline:
            i += 1
            path = f"/api/v1/loyalty/members/{members[(i * 7 + n) % len(members)]}/earn/"
            headers = {
                "Host": host,
                "Authorization": f"Bearer {key}",
                "Content-Type": "application/json",
                "Idempotency-Key": f"{prefix}-{n}-{i}",
            }
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                created, errors = (
                    (created + 1, errors) if response.status == 201 else (created, errors + 1)
                )
            except OSError:
                errors += 1
            finally:
                conn.close()
        with lock:
            counts["created"] += created
            counts["errors"] += errors

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(EARN_CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Round(counts["created"], counts["errors"], time.monotonic() - started)


def _earn_load(host: str, key: str, member_ids: list[int], log_dir: Path) -> dict:
    """A gunicorn as the Procfile's web process runs it in production serves the project; wrk
    (or the Python fallback) posts earns to it: a warm-up, then EARN_ROUNDS rounds of
    EARN_SECONDS, each with the CPU time the server used meanwhile."""
    use_wrk = shutil.which("wrk") is not None
    run_id = f"bench-earn-{int(time.time())}"
    script = log_dir / "earn.lua"
    script.write_text(
        _LUA
        % {
            "members": ", ".join(map(str, member_ids)),
            "host": host,
            "key": key,
            "body": json.dumps(EARN_BODY),
        }
    )
    options = GUNICORN_OPTIONS or procfile_web_options()
    rounds: list[Round] = []
    warm_up: Round
    with Gunicorn(
        "cxsuite.settings",
        log_dir,
        options=options,
        env={"API_RATE_LIMIT": api_throughput.RATE_LIMIT},
    ) as server:
        server.wait_ready("/api/v1/me/", {"Host": host, "Authorization": f"Bearer {key}"})
        assert server.process is not None
        meter = CpuMeter(server.process.pid)

        def load(prefix: str, seconds: int) -> Round:
            if use_wrk:
                return _wrk_round(server.port, str(script), prefix, seconds)
            return _python_round(server.port, host, key, member_ids, prefix, seconds)

        warm_up = load(f"{run_id}-w", EARN_WARMUP_SECONDS)
        for n in range(EARN_ROUNDS):
            meter.start()
            measured = load(f"{run_id}-{n}", EARN_SECONDS)
            measured.cpu = meter.stop()
            rounds.append(measured)
        log = server.log_tail(skip=_ANSWERED)
    return {"wrk": use_wrk, "warm_up": warm_up, "rounds": rounds, "log": log, "options": options}


def _earns_one_by_one(app, host: str, key: str, member_ids: list[int]) -> dict:
    """SINGLE_EARNS earns one after the other in this thread: milliseconds, SQL statements
    and CPU time (this process's and its PostgreSQL backend's) per earn, the first left out
    (it opens the connections); figures that do not depend on how many threads share the
    two cores. The statements are the whole request's: key, throttle, idempotency record,
    earn."""
    import json

    from django.db import connection

    body = json.dumps(EARN_BODY).encode()
    statements = 0

    def count(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    def backend() -> tuple[int, float | None]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        return pid, process_cpu_seconds(pid)

    codes: list[int] = []
    times: list[float] = []
    cpu_start: tuple[float, tuple[int, float | None]] | None = None
    for i in range(SINGLE_EARNS):
        if i == 1:
            cpu_start = (time.process_time(), backend())
        path = f"/api/v1/loyalty/members/{member_ids[i % len(member_ids)]}/earn/"
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            code, _payload = _call(app, host, path, key, body, f"bench-single-{i}")
            times.append(time.perf_counter() - started)
        codes.append(code)
    web_ms = db_ms = None
    if cpu_start is not None:
        web_ms = 1000 * (time.process_time() - cpu_start[0]) / (SINGLE_EARNS - 1)
        (pid, db_before), (pid_after, db_after) = cpu_start[1], backend()
        if pid == pid_after and db_before is not None and db_after is not None:
            db_ms = 1000 * (db_after - db_before) / (SINGLE_EARNS - 1)
    connection.close()
    times.sort()
    return {
        "earned": codes.count(201),
        "statements": statements / max(1, len(codes)),
        "ms_median": 1000 * times[len(times) // 2] if times else 0.0,
        "ms_best": 1000 * times[0] if times else 0.0,
        "cpu_web_ms": web_ms,
        "cpu_db_ms": db_ms,
    }


def _earns_through_api(tenant) -> dict:
    """Earn operations per second through the API as it is served, and whether each earn
    counted exactly once."""
    import logging
    import warnings

    from django.conf import settings
    from django.db import connection
    from django.db.models import Count, Q, Sum
    from django_tenants.utils import tenant_context

    from cxsuite.lib.wsgi import split_application

    host = f"{tenant.slug}.localhost"
    with tenant_context(tenant):
        from apps.accounts.services import api_key_create
        from apps.loyalty.models import LedgerEntry, Member

        member_ids = list(Member.objects.order_by("pk").values_list("pk", flat=True))
        member_ids = member_ids[:: max(1, len(member_ids) // EARN_MEMBERS)][:EARN_MEMBERS]
        api_key, raw = api_key_create(name="bench-earn", scopes=["read", "write"], created_by=None)
        last_entry = LedgerEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        balances_before = Member.objects.aggregate(n=Sum("balance"))["n"] or 0
    connection.set_schema_to_public()
    with warnings.catch_warnings():  # the pages' half warns that collectstatic never ran
        warnings.simplefilter("ignore")
        app = split_application()
    limit, settings.API_RATE_LIMIT = settings.API_RATE_LIMIT, 10**9  # never a 429 here
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    try:
        single = _earns_one_by_one(app, host, raw, member_ids)
    finally:
        settings.API_RATE_LIMIT = limit
        request_log.setLevel(level)
    with tempfile.TemporaryDirectory(prefix="cxsuite-bench-") as log_dir:
        load = _earn_load(host, raw, member_ids, Path(log_dir))
    with tenant_context(tenant):
        from apps.accounts.models import ApiKey

        new = LedgerEntry.objects.filter(pk__gt=last_entry)
        ledger = new.aggregate(
            entries=Count("pk"),
            earns=Count("pk", filter=Q(kind="earn")),
            keys=Count("idempotency_key", distinct=True),
            points=Sum("points"),
        )
        balances_after = Member.objects.aggregate(n=Sum("balance"))["n"] or 0
        ApiKey.objects.filter(pk=api_key.pk).delete()
    return {
        "single": single,
        "load": load,
        "entries": ledger["entries"],
        "earns": ledger["earns"],
        "keys": ledger["keys"],
        "points": ledger["points"] or 0,
        "balance_change": balances_after - balances_before,
        "members": len(member_ids),
    }


def run() -> Section:
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from bench.contacts import _generate as contacts_generate
    from bench.contacts import _tenant

    tenant = _tenant()
    contacts_generate(tenant.schema_name)
    with tenant_context(tenant):
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT count(*) FROM "{tenant.schema_name}".contacts_contact')
            members = min(MEMBERS, cursor.fetchone()[0])
        started = time.perf_counter()
        _generate(tenant.schema_name, members)
        generated = time.perf_counter() - started

        from apps.contacts.models import TimelineEvent
        from apps.loyalty.services.ledger import points_expire_due
        from apps.loyalty.services.tiers import tiers_evaluate_all

        now = timezone.now()
        started = time.perf_counter()
        expired = points_expire_due(at=now)
        expiry_seconds = time.perf_counter() - started
        started = time.perf_counter()
        tiers_evaluate_all(at=now)
        tier_seconds = time.perf_counter() - started
        balanced = _books_balance(tenant.schema_name)
        TimelineEvent.objects.filter(type__startswith="loyalty.")._raw_delete(connection.alias)
    earns = _earns_through_api(tenant)
    with tenant_context(tenant):
        earn_balanced = _books_balance(tenant.schema_name)
        TimelineEvent.objects.filter(type__startswith="loyalty.")._raw_delete(connection.alias)
    total = expiry_seconds + tier_seconds
    section = Section(
        title=(
            f"7. Loyalty: the nightly run over {members:,} members and"
            f" {members * LOTS_PER_MEMBER:,} lots; earns through the API"
        ),
        header=["measure", "figure", "target", ""],
    )
    section.rows.append(
        [f"expiry ({expired:,} members lose points)", f"{expiry_seconds:.1f} s", "", ""]
    )
    section.rows.append(
        [
            f"tier evaluation ({members // TIERED_EVERY:,} members in a tier)",
            f"{tier_seconds:.1f} s",
            "",
            "",
        ]
    )
    section.rows.append(
        ["nightly run together", f"{total:.1f} s", f"< {TARGET:.0f} s", verdict(total < TARGET)]
    )
    section.rows.append(
        [
            "books balance afterwards (every member)",
            "yes" if balanced else "NO",
            "yes",
            verdict(balanced),
        ]
    )
    load = earns["load"]
    single = earns["single"]
    rates = sorted(r.created / r.seconds if r.seconds else 0.0 for r in load["rounds"])
    best_rate, median_rate = rates[-1], rates[len(rates) // 2]
    runs = [load["warm_up"], *load["rounds"]]
    answered = single["earned"] + sum(r.created for r in runs)
    errors = sum(r.errors for r in runs) + SINGLE_EARNS - single["earned"]
    # wrk stops at the end of its time with up to one request per connection on its way:
    # the server may still earn it, but no 201 comes back to be counted
    cut_off = EARN_CONNECTIONS * len(runs) if load["wrk"] else 0
    section.rows.append(
        [
            f"earns per second through the API (gunicorn, {EARN_CONNECTIONS} connections)",
            f"{best_rate:.0f}/s",
            f">= {EARN_TARGET:.0f}/s",
            verdict(best_rate >= EARN_TARGET and errors == 0),
        ]
    )
    measured = sorted(
        (r for r in load["rounds"] if r.cpu is not None and r.created),
        key=lambda r: r.created / r.seconds,
    )
    middle = measured[len(measured) // 2] if measured else None
    if middle is not None and middle.cpu is not None:
        section.rows.append(
            [
                "CPU per earn under that load (median round)",
                _cpu_text(
                    1000 * middle.cpu.web / middle.created,
                    None
                    if middle.cpu.database is None
                    else 1000 * middle.cpu.database / middle.created,
                ),
                "",
                "",
            ]
        )
    section.rows.append(
        [
            f"one earn alone through the API (median of {SINGLE_EARNS})",
            f"{single['ms_median']:.1f} ms, {single['statements']:.1f} SQL statements",
            "",
            "",
        ]
    )
    if single["cpu_web_ms"] is not None:
        section.rows.append(
            [
                "  its CPU",
                _cpu_text(single["cpu_web_ms"], single["cpu_db_ms"]),
                "",
                "",
            ]
        )
    once = (
        errors == 0
        and earns["entries"] == earns["earns"] == earns["keys"]
        and answered <= earns["entries"] <= answered + cut_off
        and earns["points"] == EARN_BODY["points"] * earns["entries"] == earns["balance_change"]
        and earn_balanced
    )
    section.rows.append(
        [
            "each earn counted once, books balance afterwards",
            "yes" if once else "NO",
            "yes",
            verdict(once),
        ]
    )
    tool = (
        f"wrk -t1 -c{EARN_CONNECTIONS} with a Lua script (a unique Idempotency-Key per request)"
        if load["wrk"]
        else f"wrk NOT FOUND: a threaded Python load generator ({EARN_CONNECTIONS} threads,"
        " one HTTP connection per request), slower than wrk"
    )
    api = api_throughput
    server_source = (
        "bench/loyalty.py GUNICORN_OPTIONS"
        if GUNICORN_OPTIONS
        else "the Procfile's web process, as production runs it"
    )
    section.notes.append(
        f"  earns: POST {json.dumps(EARN_BODY)} to /api/v1/loyalty/members/<id>/earn/ over"
        f" {earns['members']:,} members, API key in 'Authorization: Bearer',"
        f" API_RATE_LIMIT={api.RATE_LIMIT}\n"
        f"  server: gunicorn {' '.join(load['options'])} serving cxsuite.wsgi"
        f" ({server_source}),\n"
        f"          cxsuite.settings with CONN_MAX_AGE={settings.DATABASES['default']['CONN_MAX_AGE']}"
        f" (persistent connections, as in production)\n"
        f"  load:   {tool};\n"
        f"          a {EARN_WARMUP_SECONDS} s warm-up, then {EARN_ROUNDS} rounds of"
        f" {EARN_SECONDS} s: {', '.join(f'{rate:.0f}/s' for rate in rates)}"
        f" (best {best_rate:.0f}/s, median {median_rate:.0f}/s; 201 answers per second)"
    )
    cores = os.cpu_count() or 1
    for n, r in enumerate(load["rounds"], start=1):
        if r.cpu is None or not r.created:
            continue
        database = (
            "PostgreSQL not measured (not on this machine)"
            if r.cpu.database is None
            else f"PostgreSQL {1000 * r.cpu.database / r.created:.2f} ms"
        )
        ours = r.cpu.web + (r.cpu.database or 0.0)
        section.notes.append(
            f"  round {n}: {r.created / r.seconds:.0f}/s; CPU per earn: gunicorn"
            f" {1000 * r.cpu.web / r.created:.2f} ms, {database};\n"
            f"    the machine's {cores} cores {r.cpu.machine / r.seconds:.2f} busy on average,"
            f" {ours / r.seconds:.2f} of it this server; load average"
            f" {' '.join(f'{value:.1f}' for value in r.cpu.load)}"
        )
    if middle is not None and middle.cpu is not None and middle.cpu.database is not None:
        per_earn = (middle.cpu.web + middle.cpu.database) / middle.created
        section.notes.append(
            f"  The machine is shared: the rate is what this server got of it. At the median"
            f" round's CPU per earn\n  ({1000 * per_earn:.2f} ms, gunicorn and PostgreSQL),"
            f" {cores} cores to itself would serve at most {cores / per_earn:.0f}/s (an upper"
            " bound: wrk, the\n  kernel's network work and the WAL writer are not counted)."
        )
    section.notes.append(
        f"  counted once: {answered:,} answers 201 (load generator {answered - single['earned']:,},"
        f" one by one {single['earned']}), {errors} errors or other answers;\n"
        f"  ledger entries written since the start: {earns['entries']:,}"
        f" ({earns['earns']:,} earns, {earns['keys']:,} distinct Idempotency-Keys,"
        f" {earns['points']:,} points); members' balances moved by {earns['balance_change']:,}.\n"
        f"  Checked: no error; every new entry an earn with its own key; entries between the"
        f" 201s and\n  the 201s plus the requests wrk cut off at the end of its runs"
        f" ({cut_off}); points = 10 x entries =\n  the balances' change; balance = ledger sum"
        f" = lots' remaining for every member."
    )
    section.notes.append(
        f"  one by one: {SINGLE_EARNS} earns in this thread through the WSGI application"
        f" in process, best {single['ms_best']:.1f} ms,\n  median {single['ms_median']:.1f} ms;"
        " SQL statements per earn counted with connection.execute_wrapper (BEGIN and\n"
        "  COMMIT not included: one transaction per earn); CPU: this process's time.process_time()"
        " and its\n  PostgreSQL backend's (/proc), the first earn left out"
    )
    if errors and load["log"]:
        section.notes.append("  gunicorn's log ends with:\n" + load["log"])
    section.notes.append(
        f"  data generated in {generated:.1f} s (set-based SQL); expiry in chunks of 10,000"
        " members, each one transaction:\n  the members locked in id order, the due lots, one"
        " entry and one balance update per member in one\n  statement, one timeline event per"
        " member in one INSERT ... SELECT"
    )
    return section
