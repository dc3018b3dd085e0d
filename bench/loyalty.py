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

2. Earn operations per second through the API (target: at least 200/s): THREADS threads,
each with its own database connection, post POST /api/v1/loyalty/members/<id>/earn/ with
an API key and a distinct Idempotency-Key each, through the project's WSGI application (the
API's whole stack: tenant, key, throttle lifted, JSON, the member's lock, lot, entry, balance
and timeline event), spread over EARN_MEMBERS members; then every earn is checked to have
counted once and the books to balance again.

The members, lots and ledger are generated with set-based SQL in the CRM bench business
(bench/contacts.py) and made afresh on every run, since the run changes them.
"""

from __future__ import annotations

import time

from bench.common import Section, insert_select, verdict

MEMBERS = 100_000
LOTS_PER_MEMBER = 10
TIERED_EVERY = 10  # one member in ten holds a tier
TARGET = 60.0
EARNS = 4_000
EARN_THREADS = 8
EARN_MEMBERS = 2_000
EARN_TARGET = 200.0
SINGLE_EARNS = 300  # one after the other first: ms and SQL statements per earn, unloaded
SMOKE = {"MEMBERS": 200, "EARNS": 40, "EARN_THREADS": 2, "EARN_MEMBERS": 20, "SINGLE_EARNS": 5}


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


def _earn_race(app, host: str, key: str, member_ids: list[int]):
    """EARN_THREADS threads post EARNS earns of 10 points between them, each with its own
    Idempotency-Key, member after member; returns the answers by status, the first few
    problems and the seconds taken."""
    import json
    import threading
    from collections import Counter

    from django.db import connection

    outcomes: Counter = Counter()
    problems: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(EARN_THREADS)
    body = json.dumps({"points": 10, "reason": "bench"}).encode()

    def worker(n: int) -> None:
        mine: Counter = Counter()
        try:
            barrier.wait()
            for i in range(n, EARNS, EARN_THREADS):
                path = f"/api/v1/loyalty/members/{member_ids[i % len(member_ids)]}/earn/"
                try:
                    code, payload = _call(app, host, path, key, body, f"bench-earn-{i}")
                except Exception as exc:  # noqa: BLE001 - counted as an error, shown below
                    code, payload = 0, repr(exc).encode()
                mine[code] += 1
                if code != 201:
                    with lock:
                        problems.append(f"{code}: {payload[:200]!r}")
        finally:
            connection.close()
            with lock:
                outcomes.update(mine)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(EARN_THREADS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes, problems, time.perf_counter() - started


def _earns_one_by_one(app, host: str, key: str, member_ids: list[int]) -> dict:
    """SINGLE_EARNS earns one after the other in this thread: milliseconds and SQL
    statements per earn (the statements of the whole request: key, throttle, idempotency
    record, earn), figures that do not depend on how many threads share the two cores."""
    import json

    from django.db import connection

    body = json.dumps({"points": 10, "reason": "bench"}).encode()
    statements = 0

    def count(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    codes: list[int] = []
    times: list[float] = []
    with connection.execute_wrapper(count):
        for i in range(SINGLE_EARNS):
            path = f"/api/v1/loyalty/members/{member_ids[i % len(member_ids)]}/earn/"
            started = time.perf_counter()
            code, _payload = _call(app, host, path, key, body, f"bench-single-{i}")
            times.append(time.perf_counter() - started)
            codes.append(code)
    connection.close()
    times.sort()
    return {
        "earned": codes.count(201),
        "statements": statements / max(1, len(codes)),
        "ms_median": 1000 * times[len(times) // 2] if times else 0.0,
        "ms_best": 1000 * times[0] if times else 0.0,
    }


def _earns_through_api(tenant) -> dict:
    """Earn operations per second through the API, and whether each counted exactly once."""
    import logging
    import warnings

    from django.conf import settings
    from django.db import connection
    from django.db.models import Sum
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
        outcomes, problems, seconds = _earn_race(app, host, raw, member_ids)
    finally:
        settings.API_RATE_LIMIT = limit
        request_log.setLevel(level)
    with tenant_context(tenant):
        from apps.accounts.models import ApiKey

        new = LedgerEntry.objects.filter(pk__gt=last_entry, kind="earn")
        counted = new.aggregate(n=Sum("points"))["n"] or 0
        entries = new.count()
        ApiKey.objects.filter(pk=api_key.pk).delete()
    return {
        "single": single,
        "created": outcomes[201],
        "errors": sum(n for code, n in outcomes.items() if code != 201),
        "seconds": seconds,
        "entries": entries,
        "points": counted,
        "members": len(member_ids),
        "problems": problems,
    }


def run() -> Section:
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
    rate = earns["created"] / earns["seconds"] if earns["seconds"] else 0.0
    section.rows.append(
        [
            f"earns per second through the API ({EARN_THREADS} threads)",
            f"{rate:.0f}/s",
            f">= {EARN_TARGET:.0f}/s",
            verdict(rate >= EARN_TARGET and earns["errors"] == 0),
        ]
    )
    single = earns["single"]
    section.rows.append(
        [
            f"one earn alone through the API (median of {SINGLE_EARNS})",
            f"{single['ms_median']:.1f} ms, {single['statements']:.1f} SQL statements",
            "",
            "",
        ]
    )
    once = (
        earns["entries"] == earns["created"] + single["earned"]
        and earns["created"] == EARNS
        and single["earned"] == SINGLE_EARNS
        and earns["points"] == 10 * (EARNS + SINGLE_EARNS)
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
    section.notes.append(
        f"  earns: {EARNS:,} POSTs of 10 points to /api/v1/loyalty/members/<id>/earn/, each with"
        f" its own Idempotency-Key, over {earns['members']:,} members, by {EARN_THREADS} threads"
        f" (own connection each)\n  through the WSGI application in {earns['seconds']:.1f} s:"
        f" {earns['created']:,} earned (201), {earns['errors']} errors; ledger entries written:"
        f" {earns['entries']:,} ({earns['points']:,} points)"
    )
    section.notes.append(
        f"  one by one: {SINGLE_EARNS} earns in this thread, best {single['ms_best']:.1f} ms,"
        f" median {single['ms_median']:.1f} ms; SQL statements per earn counted with"
        " connection.execute_wrapper (BEGIN and COMMIT not included: one transaction per earn)"
    )
    for problem in earns["problems"][:5]:
        section.notes.append(f"  error: {problem}")
    section.notes.append(
        f"  data generated in {generated:.1f} s (set-based SQL); expiry in chunks of 10,000"
        " members, each one transaction:\n  the members locked in id order, the due lots, one"
        " entry and one balance update per member in one\n  statement, one timeline event per"
        " member in one INSERT ... SELECT"
    )
    return section
