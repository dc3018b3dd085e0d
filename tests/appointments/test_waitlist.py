"""The waitlist: joining with checked dates, being told when a matching time comes free, and
being taken off once booked."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.appointments.models import WaitlistEntry
from apps.appointments.services import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
    waitlist_join,
    waitlist_leave,
    waitlist_mark_booked,
    waitlist_offer_freed,
)
from apps.contacts.models import TimelineEvent
from apps.messaging.models import Message
from tests.appointments.factories import (
    AppointmentFactory,
    ServiceFactory,
    StaffMemberFactory,
    WaitlistEntryFactory,
)
from tests.contacts.factories import ContactFactory
from tests.helpers.clock import days_ahead, local

pytestmark = pytest.mark.usefixtures("tenant")


def _day() -> dt.date:
    """The day the waitlist tests book: five days ahead."""
    return days_ahead(5)


def at(hour: int, day: dt.date | None = None) -> dt.datetime:
    return local(day or _day(), hour).astimezone(dt.UTC)


@pytest.fixture
def checkup(weber, klein):
    return ServiceFactory(name="Check-up", staff=[weber, klein])


def _join(contact, service, start=0, end=7, **kwargs):
    return waitlist_join(
        contact=contact,
        service=service,
        date_from=days_ahead(start),
        date_to=days_ahead(end),
        **kwargs,
    )


def _offers(entry):
    return Message.objects.filter(purpose="waitlist_offer", related_id=str(entry.pk))


# --- joining and leaving ----------------------------------------------------------------------
def test_joining_records_the_wish_and_a_timeline_event(checkup, weber):
    contact = ContactFactory()
    entry = _join(contact, checkup, 1, 10, staff=weber)
    assert (entry.status, entry.staff, entry.date_to) == (
        "waiting",
        weber,
        days_ahead(10),
    )
    event = TimelineEvent.objects.get(contact=contact, type="waitlist.joined")
    assert event.properties["service"] == "Check-up"
    assert event.properties["waitlist_id"] == entry.pk


def test_joining_twice_with_the_same_wish_returns_the_first_entry(checkup):
    contact = ContactFactory()
    first = _join(contact, checkup)
    assert _join(contact, checkup).pk == first.pk
    assert WaitlistEntry.objects.count() == 1
    assert TimelineEvent.objects.filter(type="waitlist.joined").count() == 1
    assert _join(contact, checkup, 0, 8).pk != first.pk  # another range is another wish


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [(-1, 3, "date_from"), (5, 4, "date_to"), (0, 90, "date_to")],
)
def test_bad_dates_are_refused_naming_the_field(checkup, start, end, field):
    with pytest.raises(ValidationError) as error:
        _join(ContactFactory(), checkup, start, end)
    assert field in error.value.message_dict
    assert not WaitlistEntry.objects.exists()


def test_ninety_days_are_allowed(checkup):
    assert _join(ContactFactory(), checkup, 0, 89).pk


def test_a_retired_service_or_a_stranger_to_it_is_refused(checkup, weber):
    other = StaffMemberFactory()
    with pytest.raises(ValidationError) as error:
        _join(ContactFactory(), checkup, staff=other)
    assert "staff" in error.value.message_dict
    checkup.active = False
    checkup.save()
    with pytest.raises(ValidationError) as error:
        _join(ContactFactory(), checkup)
    assert "service" in error.value.message_dict


def test_dates_that_are_not_dates_are_refused(checkup):
    with pytest.raises(ValidationError) as error:
        waitlist_join(contact=ContactFactory(), service=checkup, date_from="soon", date_to=None)
    assert set(error.value.message_dict) == {"date_from", "date_to"}


def test_leaving(checkup):
    contact = ContactFactory()
    entry = _join(contact, checkup)
    assert waitlist_leave(entry=entry).status == "cancelled"
    assert waitlist_leave(entry=entry).status == "cancelled"
    assert TimelineEvent.objects.filter(contact=contact, type="waitlist.left").count() == 1


# --- a time comes free ------------------------------------------------------------------------
def test_a_cancellation_tells_everyone_waiting_for_that_day(checkup, weber, klein):
    booked = appointment_book(
        service=checkup, staff=weber, starts_at=at(10), contact=ContactFactory(), notify=False
    )
    anyone = _join(ContactFactory(first_name="Ada"), checkup, 3, 6)
    for_weber = _join(ContactFactory(), checkup, 5, 5, staff=weber)
    for_klein = _join(ContactFactory(), checkup, 0, 9, staff=klein)
    other_days = _join(ContactFactory(), checkup, 6, 9)
    other_service = _join(ContactFactory(), ServiceFactory(staff=[weber]), 0, 9)

    appointment_cancel(appointment=booked)

    for entry in (anyone, for_weber):
        entry.refresh_from_db()
        assert entry.status == "notified" and entry.notified_at is not None
        assert _offers(entry).count() == 1
        assert TimelineEvent.objects.filter(contact=entry.contact, type="waitlist.notified")
    for entry in (for_klein, other_days, other_service):
        entry.refresh_from_db()
        assert entry.status == "waiting"
        assert not _offers(entry).exists()
    message = _offers(anyone).get()
    assert f"/book/?service={checkup.pk}&date={_day().isoformat()}" in message.body
    assert "10:00 Central European Time (Berlin)" in message.body


def test_moving_an_appointment_offers_its_old_time(checkup, weber):
    booked = appointment_book(
        service=checkup, staff=weber, starts_at=at(10), contact=ContactFactory(), notify=False
    )
    entry = _join(ContactFactory(), checkup, 5, 5)
    appointment_reschedule(
        appointment=booked, starts_at=at(11, _day() + dt.timedelta(days=1)), notify=False
    )
    entry.refresh_from_db()
    assert entry.status == "notified"


def test_a_time_taken_again_meanwhile_is_not_offered(checkup, weber, klein):
    AppointmentFactory(service=checkup, staff=weber, starts_at=at(10))
    AppointmentFactory(service=checkup, staff=klein, starts_at=at(10))
    entry = _join(ContactFactory(), checkup, 5, 5)
    assert waitlist_offer_freed(service=checkup, staff=weber, starts_at=at(10)) == 0
    entry.refresh_from_db()
    assert entry.status == "waiting"


def test_a_time_outside_the_hours_or_already_past_is_not_offered(checkup, weber):
    entry = _join(ContactFactory(), checkup, 0, 9)
    assert waitlist_offer_freed(service=checkup, staff=weber, starts_at=at(18)) == 0
    past = timezone.now() - dt.timedelta(hours=1)
    assert waitlist_offer_freed(service=checkup, staff=weber, starts_at=past) == 0
    entry.refresh_from_db()
    assert entry.status == "waiting"


def test_someone_already_told_is_not_told_again(checkup, weber):
    entry = _join(ContactFactory(), checkup, 5, 5)
    assert waitlist_offer_freed(service=checkup, staff=weber, starts_at=at(10)) == 1
    assert waitlist_offer_freed(service=checkup, staff=weber, starts_at=at(11)) == 0
    assert _offers(entry).count() == 1


# --- booked -----------------------------------------------------------------------------------
def test_booking_closes_the_contacts_matching_entries(checkup, weber, klein):
    contact = ContactFactory()
    waiting = _join(contact, checkup, 3, 6, staff=klein)
    notified = WaitlistEntryFactory(
        contact=contact, service=checkup, status="notified", date_from=_day(), date_to=_day()
    )
    elsewhere = _join(contact, checkup, 6, 9)
    someone_else = _join(ContactFactory(), checkup, 3, 6)

    appointment = appointment_book(
        service=checkup, staff=weber, starts_at=at(9), contact=contact, notify=False
    )

    for entry in (waiting, notified):
        entry.refresh_from_db()
        assert (entry.status, entry.appointment_id) == ("booked", appointment.pk)
    for entry in (elsewhere, someone_else):
        entry.refresh_from_db()
        assert entry.status == "waiting"
    assert waitlist_mark_booked(appointment=appointment) == 0  # nothing left to close
