"""Reminders through due work: one row per appointment and configured offset, sent once.

- `appointment_reminders_sync(appointment=)` runs after every booking change. An upcoming,
  approved appointment gets one `appointments.reminder` row per offset of
  `AppointmentSettings.reminders` whose time has not passed, due exactly `minutes` before the
  start (instants, so "48 hours before" is 48 real hours across a daylight-saving change);
  anything else gets its pending rows cancelled. The row's ref is
  `<appointment>:<minutes>:<channel or best>` and its payload names the start it was computed
  for, so a move re-registers the same rows at the new time.
- The handler re-checks the appointment when the row fires: a cancelled, finished, unapproved
  or moved appointment (start differs from the payload), an offset the practice no longer uses
  or a start already passed means nothing is sent. The message's dedupe key names the offset,
  the channel and the start, so a retried sweep never sends a reminder twice, and a reminder
  for a new time is a new message.
- A customer who answers a reminder text with C or YES confirms their next appointment
  (`appointment_confirm_by_reply`, registered with messaging's inbound confirm handlers).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.scheduling.selectors import DueWorkState, due_work_pending_refs, due_work_states
from apps.scheduling.services import (
    DueWork,
    DueWorkItem,
    due_work_cancel_many,
    due_work_register_many,
)
from cxsuite.lib.errors import DomainError

from ..models import UPCOMING, Appointment, AppointmentStatus, ReminderChannel

if TYPE_CHECKING:
    from apps.contacts.models import Contact

logger = logging.getLogger(__name__)

REMINDER = "appointments.reminder"
CONFIRM_BY_REPLY_DAYS = 7  # a "C" answers a reminder, which goes out at most days ahead
Offset = tuple[int, str]  # (minutes before the start, channel; "" = the contact's best)


def reminder_offsets() -> list[Offset]:
    """The practice's reminder offsets, cleaned: whole minutes >= 0, known channels, no twins."""
    from .booking import appointment_settings

    offsets: list[Offset] = []
    for item in appointment_settings().reminders or []:
        try:
            minutes = int(item.get("minutes"))
        except (AttributeError, TypeError, ValueError):
            continue
        channel = item.get("channel") or ""
        if minutes < 0 or channel not in ReminderChannel.values:
            continue
        if (minutes, channel) not in offsets:
            offsets.append((minutes, channel))
    return offsets


def _ref(appointment_id: int, minutes: int, channel: str) -> str:
    return f"{appointment_id}:{minutes}:{channel or 'best'}"


def _wanted(appointment: Appointment, offsets: list[Offset], now: dt.datetime) -> dict:
    """ref -> (due_at, payload) of the reminders the appointment should have from now on."""
    if appointment.status not in UPCOMING or appointment.awaiting_approval:
        return {}
    # in UTC: instants, never wall-clock arithmetic (and one spelling of the start to compare)
    starts_at = appointment.starts_at.astimezone(dt.UTC)
    wanted = {}
    for minutes, channel in offsets:
        due_at = starts_at - dt.timedelta(minutes=minutes)
        if due_at <= now:
            continue  # booked at short notice: a reminder that is already late is skipped
        payload = {
            "appointment_id": appointment.pk,
            "minutes": minutes,
            "channel": channel,
            "starts_at": starts_at.isoformat(),
        }
        wanted[_ref(appointment.pk, minutes, channel)] = (due_at, payload)
    return wanted


def _unchanged(state: DueWorkState | None, due_at: dt.datetime, payload: dict) -> bool:
    """Already pending at this time, or already sent for this start: leave it alone."""
    if state is None or state.payload.get("starts_at") != payload["starts_at"]:
        return False
    return state.done or (state.pending and state.due_at == due_at)


def _sync(wanted: dict[str, tuple[dt.datetime, dict]], refs: list[str]) -> None:
    """Cancel the pending rows among `refs` that are no longer wanted and register the wanted
    ones that changed, in a few statements whatever the number of rows."""
    with transaction.atomic():
        existing = due_work_states(kind=REMINDER, refs=refs)
        stale = [ref for ref, state in existing.items() if state.pending and ref not in wanted]
        if stale:
            due_work_cancel_many(kind=REMINDER, refs=stale)
        due_work_register_many(
            items=[
                DueWorkItem(kind=REMINDER, ref=ref, due_at=due_at, payload=payload)
                for ref, (due_at, payload) in wanted.items()
                if not _unchanged(existing.get(ref), due_at, payload)
            ]
        )


def appointment_reminders_sync(*, appointment: Appointment, now: dt.datetime | None = None) -> int:
    """Register the reminders of an upcoming appointment at its current time; cancel the rest.
    Returns how many reminders are scheduled for it."""
    now = now or timezone.now()
    offsets = reminder_offsets()
    wanted = _wanted(appointment, offsets, now)
    _sync(wanted, [_ref(appointment.pk, minutes, channel) for minutes, channel in offsets])
    return len(wanted)


def appointment_reminders_sync_many(
    *, appointments: Iterable[Appointment], now: dt.datetime | None = None
) -> int:
    """The same for many appointments in a few statements (the demo, a change of offsets).
    Returns how many reminders are scheduled."""
    now = now or timezone.now()
    offsets = reminder_offsets()
    wanted: dict[str, tuple[dt.datetime, dict]] = {}
    refs: list[str] = []
    for appointment in appointments:
        wanted.update(_wanted(appointment, offsets, now))
        refs += [_ref(appointment.pk, minutes, channel) for minutes, channel in offsets]
    _sync(wanted, refs)
    return len(wanted)


def appointment_reminders_resync(*, now: dt.datetime | None = None) -> int:
    """After the practice changes its offsets: every upcoming appointment gets the new set and
    rows of offsets no longer used are withdrawn. Returns how many reminders are scheduled."""
    now = now or timezone.now()
    upcoming = Appointment.objects.filter(status__in=UPCOMING, starts_at__gt=now)
    count = appointment_reminders_sync_many(appointments=upcoming, now=now)
    used = {_ref(0, minutes, channel).split(":", 1)[1] for minutes, channel in reminder_offsets()}
    orphans = [
        ref for ref in due_work_pending_refs(kind=REMINDER) if ref.split(":", 1)[1] not in used
    ]
    if orphans:
        due_work_cancel_many(kind=REMINDER, refs=orphans)
    return count


def reminder_due_send(work: DueWork) -> None:
    """Send one reminder if the appointment still stands at the time it was computed for."""
    from apps.messaging.services.sending import message_send

    from .messages import appointment_message_context

    appointment_id, minutes, channel = work.ref.split(":")
    channel = "" if channel == "best" else channel
    appointment = (
        Appointment.objects.select_related("contact", "service", "staff")
        .filter(pk=int(appointment_id))
        .first()
    )
    if (
        appointment is None
        or appointment.status not in UPCOMING
        or appointment.awaiting_approval
        or appointment.starts_at.astimezone(dt.UTC).isoformat() != work.payload.get("starts_at")
        or appointment.starts_at <= timezone.now()
        or (int(minutes), channel) not in reminder_offsets()
    ):
        return
    stamp = int(appointment.starts_at.timestamp())
    try:
        with transaction.atomic():
            message_send(
                contact=appointment.contact,
                purpose="appointment_reminder",
                channel=channel or None,
                context=appointment_message_context(appointment),
                dedupe_key=f"appointment:{appointment.pk}:reminder:{minutes}:"
                f"{channel or 'best'}:{stamp}",
                related_type="appointment",
                related_id=str(appointment.pk),
            )
    except (ValidationError, DomainError):  # e.g. no template: retrying would not help
        logger.exception("reminder %s of appointment %s not sent", work.ref, appointment.pk)


def appointment_confirm_by_reply(*, contact: Contact, inbound=None) -> Appointment | None:
    """A "C" / "YES" text confirms the contact's next booked appointment in the coming days
    (the one a reminder asked about); with none, nothing happens."""
    from .booking import appointment_status_set

    now = timezone.now()
    appointment = (
        Appointment.objects.filter(
            contact=contact,
            status=AppointmentStatus.BOOKED,
            awaiting_approval=False,
            starts_at__gt=now,
            starts_at__lte=now + dt.timedelta(days=CONFIRM_BY_REPLY_DAYS),
        )
        .order_by("starts_at")
        .first()
    )
    if appointment is None:
        return None
    return appointment_status_set(
        appointment=appointment, status=AppointmentStatus.CONFIRMED, now=now
    )
