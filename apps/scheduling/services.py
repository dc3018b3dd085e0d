"""Register, cancel and run due work exactly once (DESIGN, "Scheduled work").

An app registers a handler for its kind of work in its `AppConfig.ready()` and registers rows
as things are booked:

    due_work_handlers.register("appointments.reminder", reminder_due_send)  # in ready()

    due_work_register(kind="appointments.reminder", ref=f"{appointment.pk}:24h", due_at=...)

Many rows at once (a whole day's reminders, a broadcast's deferred messages) go through
`due_work_register_many` and `due_work_cancel_many`; other apps read rows only through
`apps.scheduling.selectors`.

The handler runs inside the transaction that marks the row done, so its writes and the
"done" mark commit together; anything it sends outside the database goes in
`transaction.on_commit`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone

from apps.tenants.services import (
    tenant_current,
    tenant_wakeup_at_least,
    tenant_wakeup_claim_due,
    tenant_wakeup_lock,
    tenant_wakeup_set,
)

from .models import DueWork, DueWorkStatus
from .registries import due_work_handlers

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def due_work_register(
    *,
    kind: str,
    ref: str | int,
    due_at: datetime,
    payload: dict | None = None,
    keep_earlier: bool = False,
) -> DueWork:
    """Schedule (or move) the work `kind` for `ref` at `due_at`; one row per (kind, ref).

    With `keep_earlier`, pending work already due sooner stays at its time (a safety net that
    must not push back a retry booked for earlier)."""
    if kind not in due_work_handlers:
        raise ValueError(f"No due-work handler registered for {kind!r}")
    with transaction.atomic():
        if keep_earlier:
            sooner = (
                DueWork.objects.pending()
                .filter(kind=kind, ref=str(ref), due_at__lte=due_at)
                .select_for_update()
                .first()
            )
            if sooner is not None:
                return sooner
        work, _ = DueWork.objects.update_or_create(
            kind=kind,
            ref=str(ref),
            defaults={
                "due_at": due_at,
                "status": DueWorkStatus.PENDING,
                "payload": payload or {},
                "attempts": 0,
                "last_error": "",
                "done_at": None,
            },
        )
        tenant_wakeup_at_least(tenant_id=tenant_current().pk, due_at=due_at)
    return work


def due_work_cancel(*, kind: str, ref: str | int) -> int:
    """Cancel pending work; returns how many rows it cancelled (0 when already done)."""
    return (
        DueWork.objects.pending()
        .filter(kind=kind, ref=str(ref))
        .update(status=DueWorkStatus.CANCELLED)
    )


@dataclass(frozen=True)
class DueWorkItem:
    """One row for `due_work_register_many`: the arguments of `due_work_register`."""

    kind: str
    ref: str | int
    due_at: datetime
    payload: dict = field(default_factory=dict)


BULK_BATCH = 1000  # rows per INSERT; 8 values each stays far below PostgreSQL's 65535 params
CANCEL_BATCH = 2000  # refs per UPDATE


def due_work_register_many(*, items: Iterable[DueWorkItem]) -> int:
    """Schedule (or move) many rows in a few statements: one INSERT … ON CONFLICT (kind, ref)
    DO UPDATE per thousand rows, then one wake-up at the earliest time. The same (kind, ref)
    twice in one batch keeps the last, as two calls of `due_work_register` would. Returns how
    many rows were registered."""
    latest: dict[tuple[str, str], DueWorkItem] = {}
    for item in items:
        latest[(item.kind, str(item.ref))] = item
    if not latest:
        return 0
    unknown = sorted({kind for kind, _ref in latest if kind not in due_work_handlers})
    if unknown:
        raise ValueError(f"No due-work handler registered for {', '.join(map(repr, unknown))}")
    rows = [
        DueWork(
            kind=kind,
            ref=ref,
            due_at=item.due_at,
            payload=item.payload or {},
            status=DueWorkStatus.PENDING,
            attempts=0,
            last_error="",
            done_at=None,
        )
        for (kind, ref), item in latest.items()
    ]
    with transaction.atomic(savepoint=False):  # the rows and their wake-up, or neither
        DueWork.objects.bulk_create(
            rows,
            batch_size=BULK_BATCH,
            update_conflicts=True,
            unique_fields=["kind", "ref"],
            update_fields=["due_at", "status", "payload", "attempts", "last_error", "done_at"],
        )
        tenant_wakeup_at_least(
            tenant_id=tenant_current().pk, due_at=min(row.due_at for row in rows)
        )
    return len(rows)


def due_work_cancel_many(
    *, kind: str, refs: Iterable[str | int] | None = None, ref_prefix: str | None = None
) -> int:
    """Cancel the pending rows of `kind` with these refs, or whose ref starts with
    `ref_prefix` (e.g. every reminder of one appointment); done rows stay done. Returns how
    many rows it cancelled."""
    if (refs is None) == (ref_prefix is None):
        raise ValueError("Give either refs or ref_prefix.")
    pending = DueWork.objects.pending().filter(kind=kind)
    if ref_prefix is not None:
        if not ref_prefix:
            raise ValueError("An empty ref_prefix would cancel every row of the kind.")
        return pending.filter(ref__startswith=ref_prefix).update(status=DueWorkStatus.CANCELLED)
    assert refs is not None  # one of the two is given (checked above)
    wanted = list(dict.fromkeys(str(ref) for ref in refs))
    cancelled = 0
    with transaction.atomic(savepoint=False):
        for start in range(0, len(wanted), CANCEL_BATCH):
            chunk = wanted[start : start + CANCEL_BATCH]
            cancelled += pending.filter(ref__in=chunk).update(status=DueWorkStatus.CANCELLED)
    return cancelled


def _retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 30 * 2 ** (attempts - 1)))


def _run_one(work: DueWork, now: datetime) -> None:
    """Run one claimed row. The row is marked only if its time is still the one claimed: a
    handler that registers its own (kind, ref) again (a recurring job) keeps the new time."""
    handler = due_work_handlers.get(work.kind)
    claimed = DueWork.objects.filter(pk=work.pk, due_at=work.due_at)
    try:
        if handler is None:
            raise LookupError(f"no handler for {work.kind!r}")
        with transaction.atomic():
            handler(work)
    except Exception as exc:  # one failing row never blocks the others
        logger.exception("due work %s failed", work)
        attempts = work.attempts + 1
        failed = attempts >= MAX_ATTEMPTS or handler is None
        claimed.update(
            attempts=attempts,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            status=DueWorkStatus.FAILED if failed else DueWorkStatus.PENDING,
            due_at=work.due_at if failed else now + _retry_delay(attempts),
        )
        return
    claimed.update(status=DueWorkStatus.DONE, done_at=now, attempts=F("attempts") + 1)


def due_work_sweep(*, batch: int | None = None) -> int:
    """Run every due row of the current tenant once; returns how many rows it ran.

    Rows are claimed with FOR UPDATE SKIP LOCKED, so a second sweep running at the same
    time takes other rows or none, and a row marked done is never picked again.
    """
    batch = batch or settings.DUE_WORK_BATCH
    ran = 0
    while True:
        now = timezone.now()
        with transaction.atomic():
            rows = list(
                DueWork.objects.due(now)
                .order_by("due_at")
                .select_for_update(skip_locked=True)[:batch]
            )
            for work in rows:
                _run_one(work, now)
        ran += len(rows)
        if len(rows) < batch:
            break
    due_work_reschedule()
    return ran


def due_work_reschedule() -> datetime | None:
    """Set the tenant's public wake-up time to its earliest pending row."""
    tenant_id = tenant_current().pk
    with transaction.atomic():
        tenant_wakeup_lock(tenant_id=tenant_id)
        # a fresh statement after the lock sees rows registered by transactions it waited for
        next_due = DueWork.objects.pending().aggregate(next_due=Min("due_at"))["next_due"]
        tenant_wakeup_set(tenant_id=tenant_id, next_due_at=next_due)
    return next_due


def due_work_dispatch(*, now: datetime | None = None) -> list[str]:
    """The beat tick: schemas of the tenants with work due now (one indexed query)."""
    return tenant_wakeup_claim_due(now=now)
