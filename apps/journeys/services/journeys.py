"""Defining journeys: the trigger and rules, the steps of the draft version, checking a graph
before it goes live, activating (with a count of who would enter), pausing and resuming, and
the date triggers' sweep."""

from __future__ import annotations

import calendar
import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    Enrollment,
    EnrollmentStatus,
    EntryRule,
    Journey,
    JourneyStatus,
    JourneyVersion,
    VersionStatus,
)
from ..registries import step_types
from .engine import ADVANCE, contact_zone, enrollment_enter, journey_schedule

if TYPE_CHECKING:
    from apps.contacts.models import Contact
    from apps.scheduling.models import DueWork

DATES = "journeys.dates"
DATES_EVERY = dt.timedelta(minutes=15)
STEP_TYPES_WITH_ELSE = {"branch", "wait", "offer"}


# --- trigger and rules ---------------------------------------------------------------------
def trigger_clean(trigger: Any) -> dict:
    """A trigger read from the event catalogue, a segment or a contact date field."""
    from apps.contacts.registries import event_types
    from apps.contacts.selectors.segments import segment_get

    if not isinstance(trigger, dict):
        raise ValidationError({"trigger": _("Choose what starts the journey.")})
    kind = trigger.get("kind")
    if kind == "event":
        name = str(trigger.get("event_type") or "")
        if name not in event_types:
            raise ValidationError({"trigger.event_type": _("Choose an event from the catalogue.")})
        filters = []
        for n, rule in enumerate(trigger.get("filters") or []):
            if not isinstance(rule, dict) or not rule.get("property"):
                raise ValidationError({f"trigger.filters.{n}": _("Name the property to compare.")})
            cmp = rule.get("cmp", "eq")
            if cmp not in ("eq", "ne", "contains", "gt", "gte", "lt", "lte"):
                raise ValidationError({f"trigger.filters.{n}.cmp": _("Choose a comparison.")})
            filters.append(
                {"property": str(rule["property"]), "cmp": cmp, "value": rule.get("value")}
            )
        return {"kind": kind, "event_type": name, "filters": filters}
    if kind == "segment":
        try:
            segment = segment_get(int(str(trigger.get("segment_id"))))
        except Exception as exc:
            raise ValidationError({"trigger.segment_id": _("Choose a segment.")}) from exc
        direction = "left" if trigger.get("direction") == "left" else "entered"
        return {"kind": kind, "segment_id": segment.pk, "direction": direction}
    if kind == "date":
        name = str(trigger.get("field") or "")
        if name != "birthday" and not name.startswith("custom."):
            raise ValidationError({"trigger.field": _("Choose a date field of the contact.")})
        try:
            offset = int(trigger.get("offset_days") or 0)
            at = dt.time.fromisoformat(str(trigger.get("at") or "09:00"))
        except ValueError as exc:
            raise ValidationError({"trigger.at": _("Give a time such as 09:00.")}) from exc
        if abs(offset) > 366:
            raise ValidationError({"trigger.offset_days": _("Use at most a year before or after.")})
        return {"kind": kind, "field": name, "offset_days": offset, "at": at.strftime("%H:%M")}
    raise ValidationError({"trigger.kind": _("Choose an event, a segment or a date.")})


def _settings_clean(values: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if "name" in values:
        name = str(values["name"] or "").strip()
        if not name:
            raise ValidationError({"name": _("Give the journey a name.")})
        cleaned["name"] = name[:120]
    if "description" in values:
        cleaned["description"] = str(values["description"] or "")[:300]
    if "trigger" in values:
        cleaned["trigger"] = trigger_clean(values["trigger"])
    if "entry_rule" in values:
        if values["entry_rule"] not in EntryRule.values:
            raise ValidationError({"entry_rule": _("Choose once, or again after some days.")})
        cleaned["entry_rule"] = values["entry_rule"]
    for name, top in (("reentry_days", 3650), ("holdout_percent", 50), ("hourly_cap", 100000)):
        if name in values:
            value = values[name]
            if value in (None, "") and name == "hourly_cap":
                cleaned[name] = None
                continue
            try:
                number = int(value or 0)
            except (TypeError, ValueError) as exc:
                raise ValidationError({name: _("Give a whole number.")}) from exc
            if not 0 <= number <= top:
                raise ValidationError({name: _("Use a number from 0 to %(top)d.") % {"top": top}})
            cleaned[name] = number
    if "goal" in values:
        goal = values["goal"] or {}
        cleaned["goal"] = (
            {
                "event_type": str(goal["event_type"]),
                "within_days": int(goal.get("within_days") or 30),
            }
            if goal.get("event_type")
            else {}
        )
    if "template" in values:
        cleaned["template"] = str(values["template"] or "")[:40]
    if "exit_events" in values:
        cleaned["exit_events"] = [str(name) for name in values["exit_events"] or [] if name]
    return cleaned


def journey_create(
    *, name: str, trigger: dict, steps: list | None = None, **values: Any
) -> Journey:
    """A new draft journey with its first (draft) version."""
    cleaned = _settings_clean({"name": name, "trigger": trigger, **values})
    with transaction.atomic():
        journey = Journey.objects.create(**cleaned)
        JourneyVersion.objects.create(
            journey=journey, number=1, steps=steps_clean(steps or [], strict=False)
        )
    return journey


def journey_from_template(*, key: str, segment_id: int | None = None) -> Journey:
    """A draft copy of a template from real practice (a segment template needs its segment)."""
    from ..templates_catalogue import journey_template

    template = journey_template(key)
    if template is None:
        raise ValidationError({"template": _("Choose a template.")})
    trigger = dict(template.trigger)
    if trigger.get("kind") == "segment":
        trigger["segment_id"] = segment_id
    return journey_create(
        name=str(template.name),
        description=str(template.description),
        trigger=trigger,
        steps=[dict(step) for step in template.steps],
        template=key,
        **template.settings,
    )


def journey_update(*, journey: Journey, **values: Any) -> Journey:
    """Change the journey's name, trigger, entry rules, goal or exits."""
    cleaned = _settings_clean(values)
    with transaction.atomic():
        journey = Journey.objects.select_for_update().get(pk=journey.pk)
        for key, value in cleaned.items():
            setattr(journey, key, value)
        journey.save()
    return journey


# --- steps ---------------------------------------------------------------------------------
def steps_clean(steps: Any, *, strict: bool) -> list[dict]:
    """Check every step's config (errors name `steps.<n>.<field>`); with `strict`, the graph
    too: no dangling target, no send without words, no wait without an end."""
    if not isinstance(steps, list):
        raise ValidationError({"steps": _("Send a list of steps.")})
    cleaned: list[dict] = []
    errors: dict[str, str] = {}
    for n, step in enumerate(steps):
        if not isinstance(step, dict) or step.get("type") not in step_types:
            errors[f"steps.{n}.type"] = _("Choose a kind of step.")
            continue
        spec = step_types[step["type"]]
        try:
            config = spec.clean(dict(step.get("config") or {}))
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors[f"steps.{n}.{key}"] = " ".join(messages)
            continue
        row = {
            "id": str(step.get("id") or uuid.uuid4().hex[:8])[:20],
            "type": step["type"],
            "config": config,
        }
        for key in ("next", "else"):
            if step.get(key):
                row[key] = str(step[key])[:20]
        cleaned.append(row)
    ids = {row["id"] for row in cleaned}
    if len(ids) != len(cleaned):
        errors["steps"] = _("Two steps share an id.")
    if strict:
        if not cleaned and not errors:
            errors["steps"] = _("Add at least one step.")
        for n, row in enumerate(cleaned):
            for key in ("next", "else"):
                target = row.get(key)
                if target and target != "exit" and target not in ids:
                    errors[f"steps.{n}.{key}"] = _("This path leads to a step that is not there.")
            if row["type"] == "branch" and not row.get("else") and n + 1 >= len(cleaned):
                errors[f"steps.{n}.else"] = _("Say where the “no” path goes.")
    if errors:
        raise ValidationError(errors)
    return cleaned


def version_draft(*, journey: Journey) -> JourneyVersion:
    """The journey's draft version, made from the live one when there is none."""
    with transaction.atomic():
        Journey.objects.select_for_update().get(pk=journey.pk)
        draft = journey.versions.filter(status=VersionStatus.DRAFT).first()
        if draft is not None:
            return draft
        number = (journey.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        live = journey.live_version
        return JourneyVersion.objects.create(
            journey=journey, number=number, steps=list(live.steps) if live else []
        )


def version_steps_set(*, journey: Journey, steps: list) -> JourneyVersion:
    """Save the draft's steps (a changed graph of a live journey is a new version)."""
    cleaned = steps_clean(steps, strict=False)
    draft = version_draft(journey=journey)
    with transaction.atomic():
        draft = JourneyVersion.objects.select_for_update().get(pk=draft.pk)
        draft.steps = cleaned
        draft.save(update_fields=["steps"])
    return draft


def version_wording_set(*, journey: Journey, step_id: str, subject: str = "", text: str) -> int:
    """Fix a message's words in every version: those already inside get the new words."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the message first.")})
    changed = 0
    with transaction.atomic():
        for version in JourneyVersion.objects.select_for_update().filter(journey=journey):
            for step in version.steps:
                if step["id"] == step_id and step["type"] == "send":
                    step["config"]["text"] = text[:2000]
                    step["config"]["subject"] = (subject or "").strip()[:200]
                    changed += 1
            version.save(update_fields=["steps"])
    if not changed:
        raise ValidationError({"step_id": _("No message step with this id.")})
    return changed


# --- activation ----------------------------------------------------------------------------
def activation_preview(*, journey: Journey) -> dict[str, int]:
    """Who would enter now (the segment's members for a segment trigger) and how many are
    inside the live version (they finish on it)."""
    from apps.contacts.selectors.segments import segment_get, segment_members

    current = 0
    trigger = journey.trigger or {}
    if trigger.get("kind") == "segment" and trigger.get("direction") != "left":
        try:
            current = segment_members(segment=segment_get(int(trigger["segment_id"]))).count()
        except Exception:
            current = 0
    inside = Enrollment.objects.filter(journey=journey, status=EnrollmentStatus.ACTIVE).count()
    return {"current_members": current, "inside": inside}


def journey_activate(
    *, journey: Journey, include_current: bool = False, now: dt.datetime | None = None
) -> Journey:
    """Make the draft version live (checked first); those inside the old version finish on
    it. With `include_current`, a segment's current members enter too, else only joiners."""
    from apps.contacts.selectors.segments import segment_get, segment_members
    from apps.contacts.services import segment_track

    now = now or timezone.now()
    with transaction.atomic():
        journey = Journey.objects.select_for_update().get(pk=journey.pk)
        if journey.status == JourneyStatus.ARCHIVED:
            raise ValidationError({"status": _("An archived journey cannot be activated.")})
        draft = journey.versions.filter(status=VersionStatus.DRAFT).first()
        if draft is None and journey.live_version is None:
            raise ValidationError({"steps": _("Add at least one step.")})
        if draft is not None:
            draft.steps = steps_clean(draft.steps, strict=True)
            old = journey.live_version
            if old is not None:
                old.status, old.retired_at = VersionStatus.RETIRED, now
                old.save(update_fields=["status", "retired_at"])
            draft.status, draft.activated_at = VersionStatus.LIVE, now
            draft.save()
            journey.live_version = draft
        journey.status = JourneyStatus.ACTIVE
        journey.activated_at = journey.activated_at or now
        journey.save()
        trigger = journey.trigger
        if trigger.get("kind") == "segment":
            segment = segment_get(int(trigger["segment_id"]))
            segment_track(segment=segment)
            if include_current and trigger.get("direction") != "left":
                for contact in segment_members(segment=segment).iterator(chunk_size=500):
                    enrollment_enter(journey=journey, contact=contact, now=now)
        if trigger.get("kind") == "date":
            _dates_book(journey.pk, now)
        journey_schedule(journey_id=journey.pk)
    return journey


def journey_pause(*, journey: Journey) -> Journey:
    """Hold everyone where they are: nothing runs, nobody is skipped or exited."""
    with transaction.atomic():
        journey = Journey.objects.select_for_update().get(pk=journey.pk)
        if journey.status != JourneyStatus.ACTIVE:
            raise ValidationError({"status": _("Only an active journey can be paused.")})
        journey.status = JourneyStatus.PAUSED
        journey.save(update_fields=["status", "updated"])
    return journey


def journey_resume(*, journey: Journey) -> Journey:
    """Go on from where everyone was held."""
    with transaction.atomic():
        journey = Journey.objects.select_for_update().get(pk=journey.pk)
        if journey.status != JourneyStatus.PAUSED:
            raise ValidationError({"status": _("Only a paused journey can be resumed.")})
        journey.status = JourneyStatus.ACTIVE
        journey.save(update_fields=["status", "updated"])
        journey_schedule(journey_id=journey.pk)
    return journey


def journey_archive(*, journey: Journey) -> Journey:
    """Stop the journey for good: those inside leave."""
    from .engine import enrollment_finish

    with transaction.atomic():
        journey = Journey.objects.select_for_update().get(pk=journey.pk)
        journey.status = JourneyStatus.ARCHIVED
        journey.save(update_fields=["status", "updated"])
        for enrollment in Enrollment.objects.filter(
            journey=journey, status=EnrollmentStatus.ACTIVE
        ).select_related("journey", "version", "contact"):
            enrollment_finish(
                enrollment=enrollment, status=EnrollmentStatus.EXITED, reason="archived"
            )
    return journey


def enrollment_start(
    *, journey: Journey, contact: Contact, properties: dict | None = None
) -> Enrollment:
    """Enter a contact by hand (staff, the API), under the journey's entry rules."""
    if journey.status != JourneyStatus.ACTIVE:
        raise ValidationError({"journey": _("Activate the journey first.")})
    enrollment = enrollment_enter(journey=journey, contact=contact, properties=properties)
    if enrollment is None:
        raise ValidationError({"contact": _("This contact may not enter the journey again now.")})
    return enrollment


# --- date triggers -------------------------------------------------------------------------
def _dates_book(journey_id: int, at: dt.datetime) -> None:
    from apps.scheduling.services import due_work_register

    due_work_register(kind=DATES, ref=str(journey_id), due_at=at, keep_earlier=True)


def _anniversary(born: dt.date, year: int) -> dt.date:
    """The birthday in a year; 29 February is kept on 28 February in other years."""
    if born.month == 2 and born.day == 29 and not calendar.isleap(year):
        return dt.date(year, 2, 28)
    return born.replace(year=year)


def _field_date(contact: Contact, field: str) -> dt.date | None:
    if field == "birthday":
        return contact.birthday
    raw = (contact.custom or {}).get(field.removeprefix("custom."))
    try:
        return dt.date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


def date_trigger_fire(*, journey: Journey, now: dt.datetime | None = None) -> int:
    """Enter every contact whose date (plus the offset) is today in their zone and whose
    local time has passed the trigger's time; once per date (the key)."""
    from apps.contacts.selectors import contacts_live

    now = now or timezone.now()
    trigger = journey.trigger
    field, offset = trigger["field"], int(trigger.get("offset_days") or 0)
    at = dt.time.fromisoformat(trigger.get("at") or "09:00")
    utc_day = now.date()
    days = [utc_day + dt.timedelta(days=d) for d in (-1, 0, 1)]
    wanted = [day - dt.timedelta(days=offset) for day in days]  # the field's value or date
    contacts = contacts_live()
    if field == "birthday":
        from django.db.models import Q

        match = Q()
        for day in wanted:
            match |= Q(birthday__month=day.month, birthday__day=day.day)
            if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
                match |= Q(birthday__month=2, birthday__day=29)
        contacts = contacts.filter(match)
    else:
        key = field.removeprefix("custom.")
        contacts = contacts.filter(**{f"custom__{key}__in": [d.isoformat() for d in wanted]})
    entered = 0
    for contact in contacts.iterator(chunk_size=500):
        value = _field_date(contact, field)
        if value is None:
            continue
        local = now.astimezone(contact_zone(contact))
        event_day = _anniversary(value, local.date().year) if field == "birthday" else value
        fire_day = event_day + dt.timedelta(days=offset)
        if fire_day != local.date() or local.time() < at:
            continue
        if enrollment_enter(
            journey=journey,
            contact=contact,
            properties={"date": event_day.isoformat()},
            entry_key=f"date:{fire_day.isoformat()}",
            now=now,
        ):
            entered += 1
    return entered


def journeys_dates_due(work: DueWork) -> None:
    """The date triggers' sweep, every 15 minutes while the journey is active."""
    from apps.scheduling.services import due_work_register

    journey = Journey.objects.filter(pk=int(work.ref)).first()
    if journey is None or journey.status == JourneyStatus.ARCHIVED:
        return
    now = timezone.now()
    if journey.status == JourneyStatus.ACTIVE and journey.trigger.get("kind") == "date":
        date_trigger_fire(journey=journey, now=now)
    due_work_register(kind=DATES, ref=work.ref, due_at=now + DATES_EVERY)


__all__ = ["ADVANCE", "DATES"]


def journey_test_run(*, journey: Journey, contact: Contact) -> Enrollment:
    """Run the draft (or live) version for one contact at once, waits shortened to nothing
    and waits for an event timed out; nothing is sent or changed, each step is recorded."""
    from .advance import enrollments_move

    version = journey.versions.filter(status=VersionStatus.DRAFT).first() or journey.live_version
    if version is None or not version.steps:
        raise ValidationError({"steps": _("Add at least one step.")})
    steps_clean(version.steps, strict=True)
    now = timezone.now()
    with transaction.atomic():
        enrollment = enrollment_enter(
            journey=journey,
            contact=contact,
            entry_key=f"test:{uuid.uuid4().hex[:12]}",
            now=now,
            test_run=True,
            version=version,
        )
        if enrollment is None:
            raise ValidationError({"contact": _("This contact cannot be used for a test run.")})
        enrollment = Enrollment.objects.select_related("journey", "version", "contact").get(
            pk=enrollment.pk
        )
        for _n in range(50):
            if enrollment.status != EnrollmentStatus.ACTIVE:
                break
            moment = max(now, enrollment.next_at or now)
            enrollment.wait_spec = {}
            enrollments_move([enrollment], moment)
            now = moment
        if enrollment.status == EnrollmentStatus.ACTIVE:
            enrollment.status = EnrollmentStatus.EXITED
            enrollment.exit_reason = "test run"
            enrollment.finished_at = now
            enrollment.next_at = None
            enrollment.save()
    return enrollment
