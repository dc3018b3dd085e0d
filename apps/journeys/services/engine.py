"""The engine: timeline events enter contacts (through the durable subscriber "journeys"),
due work moves them on, and events they wait for, goals and exits end their waits or their
enrollment, always for the same entry key (this invoice, this order).

Each journey has one due-work row (`journeys.advance`, ref = the journey's id) due at its
earliest `Enrollment.next_at`. Its handler claims due enrollments with FOR UPDATE SKIP LOCKED
in batches and runs each one's steps until it waits. Every step taken is a `StepRun` unique on
(enrollment, step number) and its side effects are keyed by the same pair (the message's
dedupe key), so a retried task or two racing workers never run a step twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.utils import timezone

from ..models import (
    Enrollment,
    EnrollmentStatus,
    EntryRule,
    Journey,
    JourneyStatus,
    JourneyVersion,
    OfferMade,
    StepRun,
)

if TYPE_CHECKING:
    from apps.contacts.models import Contact, TimelineEvent

logger = logging.getLogger(__name__)

ADVANCE = "journeys.advance"
BATCH = 500
MAX_STEPS_PER_RUN = 25  # a graph looping without a wait stops here and goes on next tick
MAX_ATTEMPTS = 5
KEY_PROPERTIES = ("invoice_id", "order_id", "appointment_id")
CONTACT_KEY = "contact"
MACHINE_SECONDS = 30  # an open or click this soon after the send is a scanner, not a person


# --- what a step gets and returns ---------------------------------------------------------
@dataclass
class StepContext:
    """One step of one enrollment: the step's config, the contact, the trigger's properties."""

    enrollment: Enrollment
    contact: Contact
    step: dict
    seq: int
    now: dt.datetime

    @property
    def config(self) -> dict:
        return self.step.get("config") or {}

    @property
    def journey(self) -> Journey:
        return self.enrollment.journey

    @property
    def dedupe_key(self) -> str:
        return f"journey:{self.enrollment.pk}:{self.seq}"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return contact_zone(self.contact)

    def variables(self) -> dict[str, Any]:
        """What a step's wording may use: the trigger's properties and the contact's name."""
        values: dict[str, Any] = {str(k): v for k, v in self.enrollment.trigger_properties.items()}
        values.setdefault("first_name", self.contact.first_name)
        values.setdefault("last_name", self.contact.last_name)
        return values


@dataclass
class StepResult:
    """Where the contact goes: `goto` a step id ("" = the next in the list, "exit" = leave),
    after `wait_until`; `wait_event` waits for an event of the same key until `wait_until`,
    taking `else_goto` on time-out. `hold_until` postpones the step itself (a send window)."""

    outcome: str = "done"
    detail: dict = field(default_factory=dict)
    goto: str = ""
    wait_until: dt.datetime | None = None
    wait_event: str = ""
    else_goto: str = ""
    wait_spec: dict = field(default_factory=dict)
    hold_until: dt.datetime | None = None
    exit_reason: str = ""


def contact_zone(contact: Contact) -> zoneinfo.ZoneInfo:
    """The contact's time zone, else the business's."""
    from apps.appointments.selectors.availability import practice_zone

    try:
        return zoneinfo.ZoneInfo(contact.time_zone) if contact.time_zone else practice_zone()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return practice_zone()


# --- scheduling the journey's due work ----------------------------------------------------
def journey_schedule(*, journey_id: int, at: dt.datetime | None = None) -> None:
    """Book the journey's advance at `at` (default: its earliest due enrollment), keeping an
    earlier booking."""
    from apps.scheduling.services import due_work_register

    if at is None:
        at = earliest_due(journey_id)
        if at is None:
            return
    due_work_register(kind=ADVANCE, ref=str(journey_id), due_at=at, keep_earlier=True)


def earliest_due(journey_id: int) -> dt.datetime | None:
    """The earliest next action of the journey's active enrollments."""
    return Enrollment.objects.filter(
        journey_id=journey_id, status=EnrollmentStatus.ACTIVE, next_at__isnull=False
    ).aggregate(at=Min("next_at"))["at"]


# --- entering ------------------------------------------------------------------------------
def entry_key_for(properties: dict | None) -> str:
    """The entry key from the trigger: the invoice, order or appointment, else the contact."""
    for name in KEY_PROPERTIES:
        value = (properties or {}).get(name)
        if value not in (None, ""):
            return f"{name}:{value}"[:80]
    return CONTACT_KEY


def key_matches(entry_key: str, properties: dict | None) -> bool:
    """Whether an event belongs to this enrollment's key (any event, for a contact key)."""
    if entry_key == CONTACT_KEY:
        return True
    name, _sep, value = entry_key.partition(":")
    return str((properties or {}).get(name, "")) == value


def enrollment_enter(
    *,
    journey: Journey,
    contact: Contact,
    properties: dict | None = None,
    event_id: int | None = None,
    entry_key: str | None = None,
    now: dt.datetime | None = None,
    test_run: bool = False,
    version: JourneyVersion | None = None,
) -> Enrollment | None:
    """Enter a contact if the entry rules allow: never twice at once for the same key, once
    per key or again after N days; a share goes to the holdout; over the hourly cap the first
    step waits its turn. Returns the enrollment, or None when the rules keep them out."""
    now = now or timezone.now()
    key = entry_key or entry_key_for(properties)
    version = version or journey.live_version
    if version is None or contact.erased_at is not None:
        return None
    with transaction.atomic():
        previous = (
            Enrollment.objects.filter(journey=journey, contact=contact, entry_key=key)
            .order_by("-entry_seq")
            .first()
        )
        if previous is not None:
            if previous.status == EnrollmentStatus.ACTIVE:
                return None
            if journey.entry_rule == EntryRule.ONCE and not test_run:
                return None
            since = previous.finished_at or previous.entered_at
            if not test_run and now - since < dt.timedelta(days=journey.reentry_days):
                return None
        holdout = (
            not test_run
            and journey.holdout_percent > 0
            and random.random() * 100 < journey.holdout_percent  # noqa: S311 (a sample)
        )
        first = version.steps[0]["id"] if version.steps else ""
        enrollment = Enrollment(
            journey=journey,
            version=version,
            contact=contact,
            entry_key=key,
            entry_seq=(previous.entry_seq + 1) if previous else 1,
            status=EnrollmentStatus.HOLDOUT if holdout else EnrollmentStatus.ACTIVE,
            current_step=first,
            next_at=None if holdout else _entry_time(journey, now),
            trigger_event_id=event_id,
            trigger_properties=dict(properties or {}),
            test_run=test_run,
            entered_at=now,
            finished_at=now if holdout else None,
        )
        try:
            with transaction.atomic():
                enrollment.save()
        except IntegrityError:  # a concurrent entry for the same key won
            return None
        _event(enrollment, "journey.entered")
    if not holdout:
        journey_schedule(journey_id=journey.pk, at=enrollment.next_at)
    return enrollment


def _entry_time(journey: Journey, now: dt.datetime) -> dt.datetime:
    """Now, or later when the hourly cap is reached: each hour takes `hourly_cap` entries."""
    if not journey.hourly_cap:
        return now
    waiting = Enrollment.objects.filter(
        journey=journey, test_run=False, entered_at__gte=now - dt.timedelta(hours=1)
    ).count()
    return now + dt.timedelta(hours=waiting // journey.hourly_cap)


def _event(enrollment: Enrollment, type_: str, reason: str = "") -> None:
    from apps.contacts.services import event_record

    if enrollment.test_run:
        return
    event_record(
        contact=enrollment.contact,
        type=type_,
        source="journeys",
        occurred_at=timezone.now(),
        properties=event_properties(enrollment, reason),
    )


def finish_event_type(status: str) -> str:
    """The timeline event that says how an enrollment ended."""
    return {
        str(EnrollmentStatus.CONVERTED): "journey.converted",
        str(EnrollmentStatus.COMPLETED): "journey.completed",
    }.get(str(status), "journey.exited")


def finish_fields_set(enrollment: Enrollment, *, status: str, reason: str, now: dt.datetime):
    """The enrollment's row as ended (unsaved): no next action, no pending wait."""
    enrollment.status = status
    enrollment.finished_at = now
    enrollment.next_at = None
    enrollment.waiting_for = ""
    enrollment.exit_reason = reason[:120]
    if status == EnrollmentStatus.CONVERTED:
        enrollment.converted_at = now


def event_properties(enrollment: Enrollment, reason: str = "") -> dict[str, Any]:
    return {
        "journey_id": enrollment.journey_id,
        "journey_name": enrollment.journey.name,
        "enrollment_id": enrollment.pk,
        "version": enrollment.version.number,
        **({"reason": reason} if reason else {}),
    }


def enrollment_finish(*, enrollment: Enrollment, status: str, reason: str = "") -> Enrollment:
    """End an enrollment (completed, converted, exited); its pending wait goes with it."""
    finish_fields_set(enrollment, status=status, reason=reason, now=timezone.now())
    enrollment.save()
    _event(enrollment, finish_event_type(status), reason)
    return enrollment


# --- moving on -----------------------------------------------------------------------------
def step_index(version: JourneyVersion) -> dict[str, int]:
    """Each step id's position in the version's list."""
    return {step["id"]: n for n, step in enumerate(version.steps)}


def next_step_id(version: JourneyVersion, step_id: str, goto: str) -> str:
    """Where to go after `step_id`: its named target, else the next in the list ("" = end)."""
    if goto:
        return goto
    index = step_index(version)
    position = index.get(step_id)
    if position is None or position + 1 >= len(version.steps):
        return ""
    return version.steps[position + 1]["id"]


def wait_resolve(enrollment: Enrollment, *, outcome: str, now: dt.datetime) -> None:
    """End a wait for an event: the event path (the step after the wait) or the time-out
    path (the wait's "else")."""
    last = enrollment.runs.order_by("-seq").first()
    seq = enrollment.step_seq + 1
    StepRun.objects.create(
        enrollment=enrollment,
        seq=seq,
        step_id=last.step_id if last else "",
        step_type="wait_result",
        outcome=outcome,
        ran_at=now,
    )
    enrollment.step_seq = seq
    if outcome == "timeout":
        wait = next((s for s in enrollment.version.steps if last and s["id"] == last.step_id), None)
        enrollment.current_step = (wait or {}).get("else") or ""
    enrollment.waiting_for = ""
    enrollment.wait_until = None
    enrollment.next_at = now


# --- events: entries, waits, goals, exits --------------------------------------------------
def _filters_match(filters: list, properties: dict) -> bool:
    for rule in filters or []:
        value = properties.get(rule.get("property", ""))
        wanted = rule.get("value")
        cmp = rule.get("cmp", "eq")
        try:
            if cmp == "eq" and str(value) != str(wanted):
                return False
            if cmp == "ne" and str(value) == str(wanted):
                return False
            if cmp == "contains" and str(wanted).lower() not in str(value or "").lower():
                return False
            if cmp in ("gt", "gte", "lt", "lte"):
                left, right = float(str(value)), float(str(wanted))
                ok = {
                    "gt": left > right,
                    "gte": left >= right,
                    "lt": left < right,
                    "lte": left <= right,
                }[cmp]
                if not ok:
                    return False
        except (TypeError, ValueError):
            return False
    return True


def trigger_matches(journey: Journey, event: TimelineEvent) -> bool:
    """Whether an event starts this journey."""
    trigger = journey.trigger or {}
    kind = trigger.get("kind")
    if kind == "event":
        return event.type == trigger.get("event_type") and _filters_match(
            trigger.get("filters") or [], event.properties or {}
        )
    if kind == "segment":
        wanted = "segment.left" if trigger.get("direction") == "left" else "segment.entered"
        return event.type == wanted and str(event.properties.get("segment_id")) == str(
            trigger.get("segment_id")
        )
    return False


def event_is_machine(event: TimelineEvent) -> bool:
    """Opens and clicks by mail privacy proxies and link scanners: flagged by the provider,
    or within seconds of the send."""
    if not event.type.startswith("message."):
        return False
    props = event.properties or {}
    if props.get("machine"):
        return True
    if event.type not in ("message.opened", "message.clicked"):
        return False
    sent = StepRun.objects.filter(detail__message_id=props.get("message_id")).first()
    return sent is not None and (event.occurred_at - sent.ran_at).total_seconds() < MACHINE_SECONDS


def journeys_on_events(events: Sequence[TimelineEvent]) -> None:
    """The timeline subscriber: start journeys, end waits for events, count goals, exit."""
    from apps.contacts.selectors import contacts_live

    journeys = list(
        Journey.objects.filter(status=JourneyStatus.ACTIVE).select_related("live_version")
    )
    contact_ids = {e.contact_id for e in events}
    watched = set(
        Enrollment.objects.filter(
            contact_id__in=contact_ids,
            status__in=[EnrollmentStatus.ACTIVE, EnrollmentStatus.HOLDOUT],
        ).values_list("contact_id", flat=True)
    )
    offered = set(
        OfferMade.objects.filter(contact_id__in=contact_ids, accepted_at__isnull=True).values_list(
            "contact_id", flat=True
        )
    )
    # with no journey to start, only the contacts inside journeys or offered one matter (a
    # campaign's thousands of events then cost no contact rows)
    wanted = contact_ids if journeys else watched | offered
    contacts = {c.pk: c for c in contacts_live().filter(pk__in=wanted)} if wanted else {}
    for event in events:
        contact = contacts.get(event.contact_id)
        if contact is None or event.source == "journeys":
            continue
        machine = event_is_machine(event)
        if event.contact_id in watched and not machine:
            _enrollments_hear(event)
        if event.contact_id in offered and not machine:
            _offers_accept(event)
        for journey in journeys:
            if trigger_matches(journey, event):
                enrollment_enter(
                    journey=journey,
                    contact=contact,
                    properties=event.properties,
                    event_id=event.pk,
                    now=event.occurred_at if event.occurred_at > timezone.now() else None,
                )


def _enrollments_hear(event: TimelineEvent) -> None:
    """An event of a contact inside journeys: the goal, an exit, or what a wait waits for."""
    enrollments = list(
        Enrollment.objects.select_for_update(of=("self",))
        .filter(
            contact_id=event.contact_id,
            status__in=[EnrollmentStatus.ACTIVE, EnrollmentStatus.HOLDOUT],
        )
        .select_related("journey", "version", "contact")
    )
    for enrollment in enrollments:
        if not key_matches(enrollment.entry_key, event.properties):
            continue
        journey = enrollment.journey
        goal = journey.goal or {}
        within = dt.timedelta(days=int(goal.get("within_days") or 30))
        if (
            goal.get("event_type") == event.type
            and event.occurred_at <= enrollment.entered_at + within
            and event.occurred_at >= enrollment.entered_at
        ):
            if enrollment.status == EnrollmentStatus.HOLDOUT:
                if enrollment.converted_at is None:
                    enrollment.converted_at = event.occurred_at
                    enrollment.save(update_fields=["converted_at"])
                continue
            enrollment_finish(
                enrollment=enrollment, status=EnrollmentStatus.CONVERTED, reason=event.type
            )
            continue
        if enrollment.status != EnrollmentStatus.ACTIVE:
            continue
        if event.type in (journey.exit_events or []):
            enrollment_finish(
                enrollment=enrollment, status=EnrollmentStatus.EXITED, reason=event.type
            )
            continue
        if enrollment.waiting_for == event.type and event.occurred_at >= enrollment.entered_at:
            wait_resolve(enrollment, outcome="event", now=timezone.now())
            enrollment.save()
            journey_schedule(journey_id=journey.pk, at=enrollment.next_at)


def _offers_accept(event: TimelineEvent) -> None:
    from .offers import offers_accept_for_event

    offers_accept_for_event(contact_id=event.contact_id, event=event)


def enrollments_for_keys(*, journey: Journey, contact_id: int) -> list[Enrollment]:
    """A contact's enrollments in a journey, newest first (the enrollment view)."""
    return list(
        Enrollment.objects.filter(journey=journey, contact_id=contact_id).order_by("-entered_at")
    )


def enrollment_exit(*, enrollment: Enrollment, reason: str = "staff") -> Enrollment:
    """Take a contact out of a journey by hand (staff or the API)."""
    with transaction.atomic():
        enrollment = (
            Enrollment.objects.select_for_update(of=("self",))
            .select_related("journey", "version", "contact")
            .get(pk=enrollment.pk)
        )
        if enrollment.status != EnrollmentStatus.ACTIVE:
            return enrollment
        return enrollment_finish(
            enrollment=enrollment, status=EnrollmentStatus.EXITED, reason=reason
        )


def q_active() -> Q:
    return Q(status=EnrollmentStatus.ACTIVE)
