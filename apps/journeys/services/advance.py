"""Moving due enrollments on, in batches.

The journey's due-work row (`journeys.advance`) claims up to `BATCH` due enrollments with
FOR UPDATE SKIP LOCKED and moves them all at once, a step at a time: those at the same step
of the same version run it together (a step type with `run_many` sends its messages in one
batch through messaging), then every step taken is written in one INSERT, every enrollment in
one UPDATE and every end in one INSERT of timeline events. Each step run stays unique on
(enrollment, step number) and each message on its key (enrollment and step number), so a
retried task or a second worker never repeats a step; a contact whose step fails keeps the
steps taken before it and tries again later, without holding the others back.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from ..models import Enrollment, EnrollmentStatus, Journey, JourneyStatus, StepRun
from ..registries import StepType, step_types
from .engine import (
    ADVANCE,
    BATCH,
    MAX_ATTEMPTS,
    MAX_STEPS_PER_RUN,
    StepContext,
    StepResult,
    contact_zone,
    earliest_due,
    event_properties,
    finish_event_type,
    finish_fields_set,
    next_step_id,
    step_index,
    wait_resolve,
)

if TYPE_CHECKING:
    from django.db.models import Field

    from apps.scheduling.models import DueWork

logger = logging.getLogger(__name__)

SAVED_FIELDS = [
    "status",
    "current_step",
    "step_seq",
    "next_at",
    "waiting_for",
    "wait_until",
    "wait_spec",
    "attempts",
    "finished_at",
    "exit_reason",
    "converted_at",
    "updated",
]


@dataclass
class _Moves:
    """What one advance writes at its end: the steps taken, the rows changed, the ends."""

    now: dt.datetime
    runs: list[StepRun] = field(default_factory=list)
    changed: dict[int, Enrollment] = field(default_factory=dict)
    ended: list[tuple[Enrollment, str, str]] = field(default_factory=list)

    def finish(self, enrollment: Enrollment, status: str, reason: str = "") -> None:
        finish_fields_set(enrollment, status=status, reason=reason, now=timezone.now())
        self.changed[enrollment.pk] = enrollment
        self.ended.append((enrollment, finish_event_type(status), reason))

    def fail(self, enrollment: Enrollment, exc: Exception) -> None:
        """The step raised: try again later, with a growing delay; give up after a few."""
        logger.error(
            "journey step failed for enrollment %s", enrollment.pk, exc_info=(type(exc), exc, None)
        )
        enrollment.attempts += 1
        self.changed[enrollment.pk] = enrollment
        if enrollment.attempts >= MAX_ATTEMPTS:
            self.finish(enrollment, EnrollmentStatus.EXITED, f"error: {type(exc).__name__}")
        else:
            enrollment.next_at = self.now + dt.timedelta(minutes=2**enrollment.attempts)

    def write(self) -> None:
        """The steps taken, the enrollments changed and the ends, in a few statements."""
        from apps.contacts.services import events_record_many

        StepRun.objects.bulk_create(self.runs, batch_size=1000)
        self.runs = []
        if self.changed:
            stamp = timezone.now()
            rows = list(self.changed.values())
            for enrollment in rows:
                enrollment.updated = stamp
            _enrollments_save(rows)
            self.changed = {}
        by_type: dict[str, list[tuple[int, dict, str]]] = defaultdict(list)
        for enrollment, type_, reason in self.ended:
            if not enrollment.test_run:
                by_type[type_].append(
                    (enrollment.contact_id, event_properties(enrollment, reason), "")
                )
        self.ended = []
        for type_, events in by_type.items():
            for start in range(0, len(events), 1000):
                events_record_many(
                    type=type_, events=events[start : start + 1000], source="journeys"
                )


def _enrollments_save(rows: list[Enrollment]) -> None:
    """One UPDATE ... FROM unnest(...) for every changed enrollment (Django's bulk_update
    builds a CASE per row and column, which costs seconds for a batch of 500)."""
    fields = [cast("Field", Enrollment._meta.get_field(name)) for name in SAVED_FIELDS]
    arrays = ", ".join(f"%s::{_ARRAY_TYPES[f.get_internal_type()]}" for f in fields)
    values = [
        [json.dumps(getattr(row, f.attname), cls=DjangoJSONEncoder) for row in rows]
        if f.get_internal_type() == "JSONField"
        else [getattr(row, f.attname) for row in rows]
        for f in fields
    ]
    names = ", ".join(f.column for f in fields)
    casts = {f.column: "::jsonb" for f in fields if f.get_internal_type() == "JSONField"}
    columns = ", ".join(f"{f.column} = v.{f.column}{casts.get(f.column, '')}" for f in fields)
    table = connection.ops.quote_name(Enrollment._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS e SET {columns} "  # noqa: S608 (names from the model)
            f"FROM unnest(%s::bigint[], {arrays}) AS v(id, {names}) WHERE e.id = v.id",
            [[row.pk for row in rows], *values],
        )


_ARRAY_TYPES = {
    "CharField": "text[]",
    "PositiveIntegerField": "bigint[]",
    "PositiveSmallIntegerField": "integer[]",
    "DateTimeField": "timestamptz[]",
    "JSONField": "text[]",
}


def _wait_moved(enrollment: Enrollment, now: dt.datetime) -> bool:
    """A time-of-day wait is recomputed in the contact's current zone (edited since?)."""
    from .. import steps

    target = steps.time_of_day_target(enrollment.wait_spec, contact_zone(enrollment.contact))
    enrollment.wait_spec = {}
    if target is not None and target > now + dt.timedelta(seconds=1):
        enrollment.next_at = target
        return True
    return False


def _next_step(enrollment: Enrollment, moves: _Moves) -> tuple[dict, StepType] | None:
    """The step the enrollment takes now, or None when it waits or has ended."""
    now = moves.now
    moves.changed[enrollment.pk] = enrollment
    if enrollment.waiting_for:  # a wait for an event ran out: its time-out path
        wait_resolve(enrollment, outcome="timeout", now=now)
    if enrollment.wait_spec and _wait_moved(enrollment, now):
        return None
    version = enrollment.version
    index = step_index(version)
    step_id = enrollment.current_step
    if step_id == "exit":
        moves.finish(enrollment, EnrollmentStatus.EXITED, "exit")
        return None
    if not step_id or step_id not in index:
        moves.finish(enrollment, EnrollmentStatus.COMPLETED)
        return None
    step = version.steps[index[step_id]]
    spec = step_types.get(step.get("type", ""))
    if spec is None:
        raise LookupError(f"unknown step type {step.get('type')!r}")
    return step, spec


def _taken(ctx: StepContext, result: StepResult, moves: _Moves) -> bool:
    """Record a step's result on its enrollment; True when the contact goes straight on."""
    enrollment, step, now = ctx.enrollment, ctx.step, moves.now
    moves.changed[enrollment.pk] = enrollment
    if result.hold_until is not None:  # outside the step's window: try again then
        enrollment.next_at = result.hold_until
        return False
    moves.runs.append(
        StepRun(
            enrollment=enrollment,
            seq=ctx.seq,
            step_id=step["id"],
            step_type=step["type"],
            outcome=result.outcome,
            detail=result.detail,
            ran_at=now,
        )
    )
    enrollment.step_seq = ctx.seq
    if result.exit_reason:
        moves.finish(enrollment, EnrollmentStatus.EXITED, result.exit_reason)
        return False
    enrollment.current_step = next_step_id(enrollment.version, step["id"], result.goto)
    enrollment.wait_spec = result.wait_spec
    if result.wait_event:
        enrollment.waiting_for = result.wait_event
        enrollment.wait_until = result.wait_until
        enrollment.next_at = result.wait_until
        return False
    if result.wait_until is not None and result.wait_until > now:
        enrollment.next_at = result.wait_until
        return False
    enrollment.next_at = now
    return True


def _run_group(spec: StepType, contexts: list[StepContext], moves: _Moves) -> list[Enrollment]:
    """Run one step for everyone at it: together when the type can, else one by one (and
    one by one again when the batch fails, so one contact's failure holds nobody back)."""
    results: list[StepResult | None] | None = None
    if spec.run_many is not None and len(contexts) > 1:
        try:
            with transaction.atomic():
                results = list(spec.run_many(contexts))
        except Exception:
            logger.exception("journey step %s failed as a batch; one by one", spec.key)
            results = None
    if results is None:
        results = []
        for ctx in contexts:
            try:
                with transaction.atomic():
                    results.append(spec.run(ctx))
            except Exception as exc:
                moves.fail(ctx.enrollment, exc)
                results.append(None)
    going_on = []
    for ctx, result in zip(contexts, results, strict=True):
        if result is not None and _taken(ctx, result, moves):
            going_on.append(ctx.enrollment)
    return going_on


def enrollments_move(enrollments: list[Enrollment], now: dt.datetime) -> None:
    """Run the steps of these (locked) enrollments until each waits or ends, those at the
    same step of the same version together; a graph looping without a wait stops after
    `MAX_STEPS_PER_RUN` steps and goes on at the next tick."""
    moves = _Moves(now=now)
    moving = list(enrollments)
    for _round in range(MAX_STEPS_PER_RUN):
        groups: dict[tuple[int, str], list[StepContext]] = {}
        kinds: dict[tuple[int, str], StepType] = {}
        for enrollment in moving:
            try:
                if enrollment.waiting_for:  # writes its wait's result: on its own
                    with transaction.atomic():
                        taking = _next_step(enrollment, moves)
                else:
                    taking = _next_step(enrollment, moves)
            except Exception as exc:
                moves.fail(enrollment, exc)
                continue
            if taking is None:
                continue
            step, spec = taking
            key = (enrollment.version_id, step["id"])
            kinds[key] = spec
            groups.setdefault(key, []).append(
                StepContext(
                    enrollment=enrollment,
                    contact=enrollment.contact,
                    step=step,
                    seq=enrollment.step_seq + 1,
                    now=now,
                )
            )
        if not groups:
            break
        moving = []
        for key, contexts in groups.items():
            moving.extend(_run_group(kinds[key], contexts, moves))
    moves.write()


def journey_advance(*, journey: Journey, now: dt.datetime | None = None, batch: int = BATCH) -> int:
    """Move the journey's due enrollments on (claimed with SKIP LOCKED); returns how many."""
    now = now or timezone.now()
    if journey.status != JourneyStatus.ACTIVE:
        return 0
    with transaction.atomic():
        due = list(
            Enrollment.objects.filter(
                journey=journey, status=EnrollmentStatus.ACTIVE, next_at__lte=now
            )
            .select_related("contact", "version", "journey")
            .order_by("next_at", "pk")
            .select_for_update(skip_locked=True, of=("self",))[:batch]
        )
        if due:
            enrollments_move(due, now)
    return len(due)


def journeys_advance_due(work: DueWork) -> None:
    """The due-work handler: advance one journey, then book its next due time."""
    from apps.scheduling.services import due_work_register

    journey = Journey.objects.filter(pk=int(work.ref)).first()
    if journey is None or journey.status != JourneyStatus.ACTIVE:
        return
    now = timezone.now()
    moved = journey_advance(journey=journey, now=now)
    at = now if moved >= BATCH else earliest_due(journey.pk)
    if at is not None:
        if at == work.due_at:
            at += dt.timedelta(microseconds=1)
        due_work_register(kind=ADVANCE, ref=work.ref, due_at=at)
