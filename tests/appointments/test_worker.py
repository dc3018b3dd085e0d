"""Reminders through a real worker and two real beats (tick: 1 s), as separate processes.

Offsets of 2 and 1 minutes on appointments booked two to three minutes ahead: each reminder
is sent once and within a tick of its time, and an appointment moved before its reminders
fired is reminded of its new time only (at its old time, one of them would have been due
inside the wait). About 70 to 130 seconds of wall-clock time. (The daylight-saving case is a service test
in test_reminders.py: the worker only runs rows at their instant.)
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from apps.appointments.models import AppointmentSettings
from apps.appointments.services import appointment_book, appointment_reschedule
from apps.appointments.services.reminders import REMINDER
from apps.messaging.models import Message, MessageStatus
from apps.scheduling.models import DueWork, DueWorkStatus
from tests.appointments.factories import ServiceFactory, StaffMemberFactory
from tests.contacts.factories import ContactFactory
from tests.helpers.worker import TICK_SECONDS, Stack, _redis_url
from tests.helpers.worker import wait_for as _wait_for

pytestmark = pytest.mark.worker
SLACK = dt.timedelta(seconds=TICK_SECONDS + 3)  # one tick, plus the worker's round trip


@pytest.fixture
def stack(committed_tenant, tmp_path):
    """One stack (Redis when it is there, else the folder broker): the reminders take minutes
    of wall-clock time, so they run once, not once per broker like the scheduling tests."""
    running = Stack("redis" if _redis_url() else "folder", tmp_path)
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()


def _zone_at_noon() -> str:
    """A fixed-offset zone where it is around noon now: no quiet hours hold the texts back."""
    offset = 12 - timezone.now().hour
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


def _next_minute(value: dt.datetime) -> dt.datetime:
    return value.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)


def _reminders(appointment):
    return Message.objects.filter(
        purpose="appointment_reminder", related_type="appointment", related_id=str(appointment.pk)
    )


def test_each_reminder_is_sent_once_on_time_and_a_moved_one_only_for_its_new_time(
    stack, committed_tenant
):
    AppointmentSettings.objects.update_or_create(
        pk=1,
        defaults={"reminders": [{"minutes": 2, "channel": "sms"}, {"minutes": 1, "channel": ""}]},
    )
    weber, klein = StaffMemberFactory(name="Dr. Weber"), StaffMemberFactory(name="Dr. Klein")
    checkup = ServiceFactory(name="Check-up", staff=[weber, klein])
    zone = _zone_at_noon()

    def patient():
        return ContactFactory(time_zone=zone, sms_consent="opted_in")

    # the first reminders are due at the next whole minute (at least a few seconds away), the
    # last ones a minute later; starts are whole minutes, like every booking
    first = _next_minute(timezone.now() + dt.timedelta(seconds=8))
    start = first + dt.timedelta(minutes=2)
    kept = appointment_book(
        service=checkup,
        staff=weber,
        starts_at=start,
        contact=patient(),
        notify=False,
        allow_outside_hours=True,
    )
    moved = appointment_book(
        service=checkup,
        staff=klein,
        starts_at=start + dt.timedelta(minutes=1),
        contact=patient(),
        notify=False,
        allow_outside_hours=True,
    )
    # at its old time its 2-minute reminder would be due with the last ones, inside the wait
    moved = appointment_reschedule(
        appointment=moved, starts_at=start, notify=False, allow_outside_hours=True
    )
    due = {
        row.ref: row.due_at
        for row in DueWork.objects.filter(kind=REMINDER, status=DueWorkStatus.PENDING)
    }
    assert len(due) == 4

    def all_sent() -> bool:
        return (
            Message.objects.filter(
                purpose="appointment_reminder", status=MessageStatus.SENT
            ).count()
            >= 4
        )

    last_due = start - dt.timedelta(minutes=1)
    wait = (last_due - timezone.now()).total_seconds() + 30
    assert _wait_for(all_sent, timeout=wait), stack.log("worker")[-3000:]
    # past the last due time and a few more ticks from both beats: nothing else arrives
    time.sleep(max(0.0, (last_due + SLACK - timezone.now()).total_seconds()) + 3 * TICK_SECONDS)

    stamp = int(start.timestamp())
    for appointment in (kept, moved):
        messages = {m.dedupe_key: m for m in _reminders(appointment)}
        assert set(messages) == {
            f"appointment:{appointment.pk}:reminder:2:sms:{stamp}",
            f"appointment:{appointment.pk}:reminder:1:best:{stamp}",
        }, "each reminder once, and only for the time the appointment has now"
        for key, message in messages.items():
            minutes, channel = key.split(":")[3:5]
            due_at = due[f"{appointment.pk}:{minutes}:{channel}"]
            assert due_at == start - dt.timedelta(minutes=int(minutes))
            assert due_at <= message.created < due_at + SLACK, (key, message.created, due_at)
            assert message.status == MessageStatus.SENT
            assert message.provider in ("outbox", "email")
            assert message.sent_at < due_at + SLACK + dt.timedelta(seconds=2)
    assert _reminders(kept).get(dedupe_key__contains=":2:sms:").channel == "sms"
    assert set(DueWork.objects.filter(kind=REMINDER).values_list("status", flat=True)) == {
        DueWorkStatus.DONE
    }
