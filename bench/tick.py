"""Beat-tick cost: does the due-work tick stay flat as tenants are added?

The tick (`apps.scheduling.services.due_work_dispatch`) is one UPDATE ... RETURNING on the
public wake-up table joined with the tenants: it claims every tenant whose next due time has
passed. Idle tenants must cost it nothing, so it is timed with 1, 100 and 1,000 tenants of
which exactly one has work due. Real schemas are not needed for this (and 1,000 of them would
take minutes), so the tenant rows are inserted with bulk_create, which bypasses save() and
creates no schema; half of the idle tenants have no due time (NULL), half a future one.
Between two timed ticks the due tenant is armed again (untimed). At 1,000 tenants the plan of
the claim query is printed (after ANALYZE) to show it goes through the index on next_due_at.
"""

from __future__ import annotations

import time
from datetime import timedelta

from bench.common import Section, median, percentile

SIZES = (1, 100, 1000)
RUNS = 200
WARMUP_RUNS = 10
SLUG_PREFIX = "bench-tick-"
DUE_AGO = timedelta(minutes=1)  # how long ago the due tenant's work fell due
SMOKE = {"SIZES": (1, 10), "RUNS": 5, "WARMUP_RUNS": 1}


def _cleanup() -> None:
    """Remove the bulk rows (their wake-up rows and domains go with them)."""
    from apps.tenants.models import Tenant, TenantWakeup

    TenantWakeup.objects.filter(tenant__slug__startswith=SLUG_PREFIX).delete()
    Tenant.objects.filter(slug__startswith=SLUG_PREFIX).delete()


def _populate(size: int) -> int:
    """Insert `size` tenants without schemas; return the id of the single one that is due."""
    from django.utils import timezone

    from apps.tenants.models import Tenant, TenantWakeup

    tenants = Tenant.objects.bulk_create(
        Tenant(
            name=f"Bench Tick {number}",
            slug=f"{SLUG_PREFIX}{number}",
            schema_name=f"bench_tick_{number}",
        )
        for number in range(size)
    )
    now = timezone.now()
    due, *idle = tenants
    wakeups = [TenantWakeup(tenant=due, next_due_at=now - DUE_AGO)]
    for number, tenant in enumerate(idle):
        # half with nothing pending, half with work due later (spread over the next 30 days)
        later = now + timedelta(minutes=5 + number * 43) if number % 2 else None
        wakeups.append(TenantWakeup(tenant=tenant, next_due_at=later))
    TenantWakeup.objects.bulk_create(wakeups)
    return due.pk


def _arm(tenant_id: int) -> None:
    from django.utils import timezone

    from apps.tenants.models import TenantWakeup

    TenantWakeup.objects.filter(tenant_id=tenant_id).update(next_due_at=timezone.now() - DUE_AGO)


def _time_ticks(due_id: int) -> tuple[list[float], set[int]]:
    """Milliseconds of each timed tick, and the set of how many tenants each one dispatched."""
    from apps.scheduling.services import due_work_dispatch

    timings: list[float] = []
    dispatched: set[int] = set()
    for run in range(WARMUP_RUNS + RUNS):
        _arm(due_id)
        started = time.perf_counter()
        schemas = due_work_dispatch()
        elapsed = (time.perf_counter() - started) * 1000
        if run >= WARMUP_RUNS:
            timings.append(elapsed)
            dispatched.add(len(schemas))
    return timings, dispatched


def _claim_plan(due_id: int) -> str:
    """EXPLAIN ANALYZE of the exact statement the tick sends (rolled back, so nothing moves)."""
    from django.db import connection, transaction

    from apps.scheduling.services import due_work_dispatch
    from apps.tenants.models import Tenant, TenantWakeup

    with connection.cursor() as cursor:
        for model in (Tenant, TenantWakeup):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    _arm(due_id)
    captured: list[tuple[str, tuple]] = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with transaction.atomic():
        with connection.execute_wrapper(capture):
            due_work_dispatch()
        sql, params = captured[-1]
        _arm(due_id)  # the captured tick claimed it: arm it again for the explained run
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)
    return plan


def _next_due_index() -> str:
    """Name of the index on the wake-up table's next_due_at column."""
    from django.db import connection

    from apps.tenants.models import TenantWakeup

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
            [TenantWakeup._meta.db_table, "%(next_due_at)%"],
        )
        row = cursor.fetchone()
    return row[0] if row else "(no index on next_due_at)"


def run() -> Section:
    section = Section(
        title=f"2. Due-work beat tick (due_work_dispatch, {RUNS} timed ticks per size)",
        header=["tenants", "of them due", "median ms", "p95 ms", "dispatched per tick"],
    )
    _cleanup()
    try:
        for size in SIZES:
            due_id = _populate(size)
            timings, dispatched = _time_ticks(due_id)
            section.rows.append(
                [
                    f"{size:,}",
                    "1",
                    f"{median(timings):.2f}",
                    f"{percentile(timings, 95):.2f}",
                    ", ".join(str(count) for count in sorted(dispatched))
                    + ("" if dispatched == {1} else "  (expected 1)"),
                ]
            )
            if size == SIZES[-1]:
                plan = _claim_plan(due_id)
            _cleanup()
    finally:
        _cleanup()

    index = _next_due_index()
    uses_index = f"Index Scan using {index} " in plan or f"Index Scan on {index}" in plan
    section.notes.append(
        f"  Plan of the claim query at {SIZES[-1]:,} tenants (after ANALYZE):\n"
        + "\n".join("    " + line for line in plan.splitlines())
        + f"\n  uses the index on next_due_at ({index}): {'yes' if uses_index else 'NO'}"
    )
    return section
