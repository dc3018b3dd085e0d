"""Reminders as due work: registered per offset, moved with the appointment, withdrawn when it
is cancelled, re-checked when they fire, sent once; a "C" reply confirms."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.appointments.models import AppointmentSettings, AppointmentStatus
from apps.appointments.services import (
    appointment_approve,
    appointment_book,
    appointment_cancel,
    appointment_reminders_resync,
    appointment_reminders_sync,
    appointment_reminders_sync_many,
    appointment_reschedule,
    appointment_status_set,
)
from apps.appointments.services.reminders import REMINDER, reminder_due_send
from apps.contacts.models import TimelineEvent
from apps.messaging.models import Message
from apps.messaging.services.inbound import inbound_sms_receive
from apps.scheduling.models import DueWork, DueWorkStatus
from apps.scheduling.services import due_work_sweep
from apps.tenants.models import TenantWakeup
from tests.appointments.factories import AppointmentFactory, ServiceFactory, StaffMemberFactory
from tests.contacts.factories import ContactFactory
from tests.helpers.clock import BERLIN, days_ahead, local

pytestmark = pytest.mark.usefixtures("tenant")
H48, H2 = 48 * 60, 120


def _settings(*offsets: tuple[int, str]) -> None:
    AppointmentSettings.objects.update_or_create(
        pk=1, defaults={"reminders": [{"minutes": m, "channel": c} for m, c in offsets]}
    )


@pytest.fixture(autouse=True)
def _two_reminders(tenant):
    _settings((H48, "email"), (H2, ""))


@pytest.fixture
def dentist():
    return StaffMemberFactory(name="Dr. Weber")


@pytest.fixture
def checkup(dentist):
    return ServiceFactory(name="Check-up", staff=[dentist])


def _in_days(days: int, hour: int = 10) -> dt.datetime:
    """`hour` o'clock in Berlin, `days` calendar days from today: at least `days` - 1 days and
    `hour` hours ahead, whatever the time now."""
    # in UTC: subtracting hours from a zoned datetime would be wall-clock arithmetic
    return local(days_ahead(days), hour).astimezone(dt.UTC)


def _book(service, staff, starts_at, contact=None, **kwargs):
    return appointment_book(
        service=service,
        staff=staff,
        starts_at=starts_at,
        contact=contact or ContactFactory(),
        notify=False,
        **{"allow_outside_hours": True, **kwargs} if staff else kwargs,
    )


def _rows(appointment, status=DueWorkStatus.PENDING) -> dict[str, DueWork]:
    rows = DueWork.objects.filter(kind=REMINDER, ref__startswith=f"{appointment.pk}:")
    return {row.ref: row for row in rows.filter(status=status)}


def _fire(appointment) -> None:
    """Make the appointment's pending reminders due now and run a sweep, as the worker would."""
    DueWork.objects.filter(kind=REMINDER, ref__startswith=f"{appointment.pk}:").filter(
        status=DueWorkStatus.PENDING
    ).update(due_at=timezone.now() - dt.timedelta(seconds=1))
    due_work_sweep()


def _reminders(appointment):
    return Message.objects.filter(
        purpose="appointment_reminder", related_type="appointment", related_id=str(appointment.pk)
    )


# --- registering ------------------------------------------------------------------------------
def test_booking_registers_one_row_per_offset_at_the_exact_instants(checkup, dentist, tenant):
    starts = _in_days(5)
    appointment = _book(checkup, dentist, starts)

    rows = _rows(appointment)
    assert set(rows) == {f"{appointment.pk}:{H48}:email", f"{appointment.pk}:{H2}:best"}
    email = rows[f"{appointment.pk}:{H48}:email"]
    assert email.due_at == starts - dt.timedelta(hours=48)
    assert rows[f"{appointment.pk}:{H2}:best"].due_at == starts - dt.timedelta(hours=2)
    assert email.payload["starts_at"] == appointment.starts_at.isoformat()
    # the tick will wake the business for the first one
    assert TenantWakeup.objects.get(tenant=tenant).next_due_at <= email.due_at


def test_offsets_already_passed_are_skipped(checkup, dentist):
    appointment = _book(checkup, dentist, timezone.now() + dt.timedelta(hours=5))
    assert set(_rows(appointment)) == {f"{appointment.pk}:{H2}:best"}


def test_sync_twice_changes_nothing(checkup, dentist):
    appointment = _book(checkup, dentist, _in_days(5))
    before = {ref: (row.due_at, row.status) for ref, row in _rows(appointment).items()}
    assert appointment_reminders_sync(appointment=appointment) == 2
    assert {ref: (row.due_at, row.status) for ref, row in _rows(appointment).items()} == before


def test_moving_moves_the_reminders(checkup, dentist):
    appointment = _book(checkup, dentist, _in_days(5))
    later = _in_days(9, hour=15)
    moved = appointment_reschedule(
        appointment=appointment, starts_at=later, notify=False, allow_outside_hours=True
    )

    rows = _rows(moved)
    assert len(rows) == 2
    assert {row.due_at for row in rows.values()} == {
        later - dt.timedelta(hours=48),
        later - dt.timedelta(hours=2),
    }
    assert {row.payload["starts_at"] for row in rows.values()} == {later.isoformat()}


def test_cancelling_removes_the_reminders(checkup, dentist):
    appointment = _book(checkup, dentist, _in_days(5))
    appointment_cancel(appointment=appointment)
    assert _rows(appointment) == {}
    assert len(_rows(appointment, DueWorkStatus.CANCELLED)) == 2


@pytest.mark.parametrize("status", ["checked_in", "no_show", "completed"])
def test_an_appointment_that_is_no_longer_upcoming_loses_its_reminders(checkup, dentist, status):
    appointment = AppointmentFactory(service=checkup, staff=dentist, starts_at=_in_days(3))
    appointment_reminders_sync(appointment=appointment)
    assert len(_rows(appointment)) == 2
    # recorded as if the visit had happened (completion needs a started appointment)
    appointment_status_set(
        appointment=appointment, status=status, now=appointment.starts_at + dt.timedelta(hours=1)
    )
    assert _rows(appointment) == {}


def test_a_request_awaiting_approval_gets_reminders_only_once_approved(dentist):
    root_canal = ServiceFactory(name="Root canal", staff=[dentist], needs_confirmation=True)
    from tests.appointments.factories import week_hours

    week_hours(dentist, dt.time(8), dt.time(18))
    appointment = _book(root_canal, None, _in_days(6), source="online")
    assert appointment.awaiting_approval
    assert _rows(appointment) == {}

    appointment_approve(appointment=appointment)
    assert len(_rows(appointment)) == 2


def test_confirming_keeps_the_reminders(checkup, dentist):
    appointment = _book(checkup, dentist, _in_days(4))
    appointment_status_set(appointment=appointment, status="confirmed")
    assert len(_rows(appointment)) == 2


# --- firing -----------------------------------------------------------------------------------
def test_each_reminder_is_sent_once_with_the_local_time_and_the_zone(checkup, dentist):
    contact = ContactFactory(first_name="Lena", sms_consent="opted_in")
    starts = _in_days(5, hour=14)
    appointment = _book(checkup, dentist, starts, contact=contact)

    _fire(appointment)
    _fire(appointment)  # a second sweep finds them done
    work = next(iter(_rows(appointment, DueWorkStatus.DONE).values()))
    reminder_due_send(work)  # even a handler run twice sends nothing new

    messages = {m.dedupe_key: m for m in _reminders(appointment)}
    stamp = int(starts.timestamp())
    assert set(messages) == {
        f"appointment:{appointment.pk}:reminder:{H48}:email:{stamp}",
        f"appointment:{appointment.pk}:reminder:{H2}:best:{stamp}",
    }
    email = messages[f"appointment:{appointment.pk}:reminder:{H48}:email:{stamp}"]
    assert email.channel == "email"
    assert "14:00 Central European Time (Berlin)" in email.body
    assert "Check-up" in email.body and "Dr. Weber" in email.body
    assert len(_rows(appointment, DueWorkStatus.DONE)) == 2


def test_a_done_reminder_is_not_registered_again_for_the_same_time(checkup, dentist):
    appointment = _book(checkup, dentist, _in_days(5))
    _fire(appointment)
    appointment_reminders_sync(appointment=appointment)
    assert _rows(appointment) == {}
    assert _reminders(appointment).count() == 2


def test_a_moved_appointment_is_never_reminded_at_its_old_time(checkup, dentist):
    appointment = _book(checkup, dentist, _in_days(5))
    old_rows = list(_rows(appointment).values())
    later = _in_days(8)
    appointment_reschedule(
        appointment=appointment, starts_at=later, notify=False, allow_outside_hours=True
    )

    for work in old_rows:  # the rows as they were claimed, with the old start in the payload
        reminder_due_send(work)
    assert not _reminders(appointment).exists()

    _fire(appointment)
    stamps = {m.dedupe_key.rsplit(":", 1)[1] for m in _reminders(appointment)}
    assert stamps == {str(int(later.timestamp()))}


def test_a_reminder_rechecks_a_cancellation_it_was_not_told_about(checkup, dentist):
    appointment = _book(checkup, dentist, _in_days(5))
    work = next(iter(_rows(appointment).values()))
    type(appointment).objects.filter(pk=appointment.pk).update(status=AppointmentStatus.CANCELLED)
    reminder_due_send(work)
    assert not _reminders(appointment).exists()


def test_an_offset_the_practice_dropped_is_not_sent(checkup, dentist):
    appointment = _book(checkup, dentist, _in_days(5))
    _settings((H2, ""))
    _fire(appointment)
    assert [m.dedupe_key.split(":")[3] for m in _reminders(appointment)] == [str(H2)]


def test_resync_after_a_change_of_offsets(checkup, dentist):
    first = _book(checkup, dentist, _in_days(5))
    second = _book(checkup, dentist, _in_days(6))
    _settings((24 * 60, "sms"))
    assert appointment_reminders_resync() == 2
    for appointment in (first, second):
        assert set(_rows(appointment)) == {f"{appointment.pk}:1440:sms"}


def test_sync_many_gives_what_sync_gives(checkup, dentist):
    appointments = [
        AppointmentFactory(service=checkup, staff=dentist, starts_at=_in_days(n)) for n in (3, 4)
    ]
    cancelled = AppointmentFactory(
        service=checkup, staff=dentist, starts_at=_in_days(5), status="cancelled"
    )
    assert appointment_reminders_sync_many(appointments=[*appointments, cancelled]) == 4
    for appointment in appointments:
        rows = _rows(appointment)
        assert {row.due_at for row in rows.values()} == {
            appointment.starts_at - dt.timedelta(hours=48),
            appointment.starts_at - dt.timedelta(hours=2),
        }
    assert _rows(cancelled) == {}


# --- daylight saving --------------------------------------------------------------------------
def _last_sunday_of_october(year: int) -> dt.date:
    day = dt.date(year, 10, 31)
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


def test_a_48_hour_reminder_across_the_october_change_fires_48_real_hours_before(checkup, dentist):
    """Monday 09:00 right after the clocks go back: 48 hours earlier is Saturday 10:00 summer
    time, not 09:00, and the message still names Monday 09:00 in Berlin."""
    year = timezone.now().year + 1
    monday = _last_sunday_of_october(year) + dt.timedelta(days=1)
    starts = dt.datetime.combine(monday, dt.time(9), tzinfo=BERLIN)  # 08:00 UTC (CET)
    appointment = _book(checkup, dentist, starts)

    work = _rows(appointment)[f"{appointment.pk}:{H48}:email"]
    assert work.due_at == starts.astimezone(dt.UTC) - dt.timedelta(hours=48)
    assert work.due_at != starts - dt.timedelta(hours=48)  # the wall-clock answer is an hour off
    assert work.due_at == dt.datetime.combine(
        monday - dt.timedelta(days=2), dt.time(8), tzinfo=dt.UTC
    )
    assert work.due_at.astimezone(BERLIN).time() == dt.time(10)  # CEST on the Saturday
    # due at that instant and not a second before
    assert not DueWork.objects.due(work.due_at - dt.timedelta(seconds=1)).filter(pk=work.pk)
    assert DueWork.objects.due(work.due_at).filter(pk=work.pk).exists()

    reminder_due_send(work)
    message = _reminders(appointment).get()
    assert (
        f"Monday {monday.day} {monday:%B} {year}, 09:00 Central European Time (Berlin)"
        in message.body
    )


# --- "C" / "YES" replies ----------------------------------------------------------------------
def test_replying_c_confirms_the_next_booked_appointment(checkup, dentist):
    contact = ContactFactory(phone="+4915123456789", sms_consent="opted_in")
    soon = _book(checkup, dentist, _in_days(3), contact=contact)  # both reminders to come
    later = _book(checkup, dentist, _in_days(5), contact=contact)

    inbound_sms_receive(from_number="+49 151 23456789", body=" c ", provider_message_id="SM1")

    soon.refresh_from_db()
    later.refresh_from_db()
    assert soon.status == "confirmed" and soon.confirmed_at is not None
    assert later.status == "booked"
    assert TimelineEvent.objects.filter(contact=contact, type="appointment.confirmed").count() == 1
    assert len(_rows(soon)) == 2  # still reminded


def test_a_yes_with_nothing_booked_in_the_coming_days_changes_nothing(checkup, dentist):
    contact = ContactFactory(phone="+4915123456780")
    far = _book(checkup, dentist, _in_days(20), contact=contact)

    inbound = inbound_sms_receive(from_number="+4915123456780", body="YES")

    far.refresh_from_db()
    assert far.status == "booked"
    assert inbound.handled_as == "confirm"
    assert not TimelineEvent.objects.filter(type="appointment.confirmed").exists()


def test_a_reply_from_an_unknown_number_confirms_nothing(checkup, dentist):
    appointment = _book(checkup, dentist, _in_days(2))
    inbound_sms_receive(from_number="+4915199999999", body="C")
    appointment.refresh_from_db()
    assert appointment.status == "booked"
