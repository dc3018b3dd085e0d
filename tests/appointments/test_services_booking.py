"""Booking, moving, cancelling and the status of an appointment, against the database."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.appointments.models import Appointment, AppointmentSettings
from apps.appointments.services import (
    SlotTaken,
    appointment_approve,
    appointment_book,
    appointment_cancel,
    appointment_change_allowed,
    appointment_reschedule,
    appointment_status_set,
    booking_contact_match,
)
from apps.contacts.models import Contact, TimelineEvent
from apps.messaging.models import Message
from tests.appointments.factories import (
    AppointmentFactory,
    RoomFactory,
    ServiceFactory,
    StaffMemberFactory,
    week_hours,
)
from tests.contacts.factories import ContactFactory
from tests.helpers.clock import BERLIN

DAY = dt.date(2027, 3, 3)
NOW = dt.datetime(2027, 3, 1, 8, tzinfo=dt.UTC)

pytestmark = pytest.mark.usefixtures("tenant")


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BERLIN)


@pytest.fixture
def checkup(weber):
    return ServiceFactory(name="Check-up", staff=[weber], buffer_after_minutes=10)


def book(service, starts_at, **kwargs):
    kwargs.setdefault("contact", ContactFactory())
    kwargs.setdefault("source", "online")
    kwargs.setdefault("now", NOW)
    return appointment_book(service=service, starts_at=starts_at, **kwargs)


def events(contact, prefix="appointment."):
    return list(
        TimelineEvent.objects.filter(contact=contact, type__startswith=prefix)
        .order_by("pk")
        .values_list("type", flat=True)
    )


# --- booking -------------------------------------------------------------------------------------
def test_booking_writes_the_block_with_buffers_records_the_event_and_confirms(checkup, weber):
    contact = ContactFactory(first_name="Lena")
    appointment = book(checkup, at(9), contact=contact)
    assert (appointment.staff, appointment.status, appointment.source) == (
        weber,
        "booked",
        "online",
    )
    assert appointment.ends_at == at(9, 30)
    assert appointment.block_end == at(9, 40)
    assert events(contact) == ["appointment.booked"]
    event = TimelineEvent.objects.get(contact=contact, type="appointment.booked")
    assert event.properties["local_time"] == "2027-03-03 09:00"
    message = Message.objects.get(contact=contact, purpose="appointment_confirmation")
    assert "Wednesday 3 March 2027, 09:00 Central European Time (Berlin)" in message.body
    assert message.related_type == "appointment"


def test_booking_refuses_a_time_that_is_not_offered_naming_the_field(checkup):
    with pytest.raises(ValidationError) as exc:
        book(checkup, at(13))  # after hours
    assert "starts_at" in exc.value.message_dict
    assert Appointment.objects.count() == 0


def test_booking_a_taken_time_says_it_was_just_taken_and_offers_the_next_ones(checkup):
    book(checkup, at(9))
    with pytest.raises(SlotTaken) as exc:
        book(checkup, at(9))
    assert exc.value.status_code == 409
    assert "just taken" in exc.value.message
    # 09:30 would run into nothing, but the first booking's 10-minute buffer holds 09:30-09:40
    assert [s.starts_at for s in exc.value.next_slots] == [at(10), at(10, 30), at(11)]


def test_the_front_desk_may_book_outside_the_hours_but_never_over_a_booking(checkup, weber):
    late = book(checkup, at(18), source="staff", staff=weber, allow_outside_hours=True)
    assert late.starts_at == at(18)
    with pytest.raises(SlotTaken):
        book(checkup, at(18, 15), source="staff", staff=weber, allow_outside_hours=True)


def test_the_database_refuses_overlapping_blocks_whatever_the_code_does(checkup, weber):
    first = AppointmentFactory(service=checkup, staff=weber, starts_at=at(9))
    with pytest.raises(IntegrityError, match="appointment_no_staff_overlap"), transaction.atomic():
        AppointmentFactory(service=checkup, staff=weber, starts_at=first.starts_at)
    other = StaffMemberFactory()
    AppointmentFactory(service=checkup, staff=other, starts_at=at(9))  # another person: fine
    Appointment.objects.filter(pk=first.pk).update(status="cancelled")
    AppointmentFactory(service=checkup, staff=weber, starts_at=at(9))  # the time is free again


def test_anyone_goes_to_the_least_busy_and_past_a_taken_colleague(weber, klein):
    service = ServiceFactory(staff=[weber, klein])
    AppointmentFactory(service=service, staff=weber, starts_at=at(11))
    first = book(service, at(9))
    assert first.staff == klein  # Weber already has a booking that day
    second = book(service, at(9))
    assert second.staff == weber
    with pytest.raises(SlotTaken):
        book(service, at(9))


def test_a_service_needing_a_room_takes_a_free_one_and_stops_when_all_are_busy(weber, klein):
    chairs = [RoomFactory(name="Chair 1"), RoomFactory(name="Chair 2")]
    third = StaffMemberFactory()
    week_hours(third, dt.time(9), dt.time(12))
    service = ServiceFactory(staff=[weber, klein, third], needs_room=True, rooms=chairs)
    rooms = {book(service, at(9)).room, book(service, at(9)).room}
    assert rooms == set(chairs)
    with pytest.raises(SlotTaken):  # a dentist is free, no chair is
        book(service, at(9))


def test_a_booking_needing_approval_waits_for_staff_before_confirming(checkup, owner):
    checkup.needs_confirmation = True
    checkup.save()
    contact = ContactFactory()
    appointment = book(checkup, at(9), contact=contact)
    assert appointment.awaiting_approval
    assert not Message.objects.filter(contact=contact).exists()
    appointment_approve(appointment=appointment, actor=owner)
    appointment.refresh_from_db()
    assert not appointment.awaiting_approval
    assert Message.objects.filter(contact=contact, purpose="appointment_confirmation").count() == 1


def test_an_offline_service_cannot_be_booked_online(checkup):
    checkup.online = False
    checkup.save()
    with pytest.raises(ValidationError) as exc:
        book(checkup, at(9))
    assert "service" in exc.value.message_dict
    assert book(checkup, at(9), source="staff").pk  # the front desk still can


def test_the_daily_cap_is_enforced_for_online_bookings(checkup):
    checkup.daily_cap = 1
    checkup.save()
    book(checkup, at(9))
    with pytest.raises(SlotTaken) as exc:  # the day is full for this service: the next day
        book(checkup, at(11))
    assert exc.value.next_slots[0].starts_at == at(9, 0, DAY + dt.timedelta(days=1))


# --- moving and cancelling -----------------------------------------------------------------------
def test_rescheduling_moves_the_block_records_both_times_and_tells_both(checkup):
    contact = ContactFactory()
    appointment = book(checkup, at(9), contact=contact)
    moved = appointment_reschedule(appointment=appointment, starts_at=at(9, 30), now=NOW)
    assert (moved.starts_at, moved.block_end, moved.reschedule_count) == (at(9, 30), at(10, 10), 1)
    assert events(contact) == ["appointment.booked", "appointment.rescheduled"]
    event = TimelineEvent.objects.get(contact=contact, type="appointment.rescheduled")
    assert event.properties["previous_starts_at"] == at(9).astimezone(dt.UTC).isoformat()
    told = Message.objects.filter(contact=contact).order_by("pk")
    assert [m.purpose for m in told] == ["appointment_confirmation", "appointment_moved"]


def test_rescheduling_onto_a_taken_time_fails_and_keeps_the_old_time(checkup):
    mine, theirs = book(checkup, at(9)), book(checkup, at(11))
    with pytest.raises(SlotTaken):
        appointment_reschedule(appointment=mine, starts_at=theirs.starts_at, now=NOW)
    mine.refresh_from_db()
    assert (mine.starts_at, mine.reschedule_count) == (at(9), 0)


def test_a_customer_cannot_move_or_cancel_inside_the_cancellation_notice(checkup):
    AppointmentSettings.objects.create(pk=1, cancellation_notice_hours=24)
    appointment = book(checkup, at(9))
    late = at(12, 0, DAY - dt.timedelta(days=1))  # 21 hours before
    assert not appointment_change_allowed(appointment, now=late)
    with pytest.raises(ValidationError, match="24 hours"):
        appointment_cancel(appointment=appointment, by_customer=True, now=late)
    with pytest.raises(ValidationError):
        appointment_reschedule(appointment=appointment, starts_at=at(10), source="online", now=late)
    cancelled = appointment_cancel(appointment=appointment, by_customer=False, now=late)
    assert cancelled.status == "cancelled"  # the practice can


def test_cancelling_frees_the_time_and_is_recorded_once(checkup):
    contact = ContactFactory()
    appointment = book(checkup, at(9), contact=contact)
    appointment_cancel(appointment=appointment, reason="Feeling better", now=NOW)
    appointment_cancel(appointment=appointment, now=NOW)  # twice: nothing more
    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancel_reason) == ("cancelled", "Feeling better")
    assert events(contact) == ["appointment.booked", "appointment.cancelled"]
    assert book(checkup, at(9)).pk


# --- status --------------------------------------------------------------------------------------
def test_a_no_show_is_counted_on_the_contact_and_undone_if_they_turn_up(checkup):
    contact = ContactFactory()
    appointment = book(checkup, at(9), contact=contact)
    after = at(10)
    appointment_status_set(appointment=appointment, status="no_show", now=after)
    contact.refresh_from_db()
    assert contact.no_shows == 1
    appointment_status_set(appointment=appointment, status="checked_in", now=after)
    contact.refresh_from_db()
    assert contact.no_shows == 0
    appointment_status_set(appointment=appointment, status="completed", now=after)
    assert events(contact) == [
        "appointment.booked",
        "appointment.no_show",
        "appointment.status_corrected",  # the no-show undone
        "appointment.completed",
    ]


def test_a_visit_cannot_be_completed_or_missed_before_it_starts(checkup):
    appointment = book(checkup, at(9))
    for status in ("completed", "no_show"):
        with pytest.raises(ValidationError) as exc:
            appointment_status_set(appointment=appointment, status=status, now=NOW)
        assert "status" in exc.value.message_dict


def test_impossible_status_changes_are_refused_in_words(checkup):
    appointment = book(checkup, at(9))
    appointment_status_set(appointment=appointment, status="completed", now=at(10))
    with pytest.raises(ValidationError, match="completed appointment cannot become booked"):
        appointment_status_set(appointment=appointment, status="booked", now=at(10))
    with pytest.raises(ValidationError):
        appointment_cancel(appointment=appointment)
    with pytest.raises(ValidationError, match="Choose one of"):
        appointment_status_set(appointment=appointment, status="vanished")


def test_an_erased_contact_cannot_be_booked(checkup):
    from django.utils import timezone

    contact = ContactFactory(erased_at=timezone.now())
    with pytest.raises(ValidationError) as exc:
        book(checkup, at(9), contact=contact)
    assert "contact" in exc.value.message_dict


# --- who is booking ------------------------------------------------------------------------------
def test_booking_contact_match_finds_by_email_then_phone_else_creates():
    known = ContactFactory(email="lena@example.test", phone="+4915123456789", first_name="Lena")
    found = booking_contact_match(
        first_name="Someone", last_name="Else", email="LENA@example.test", phone="+4915199999999"
    )
    assert found == known
    found.refresh_from_db()
    assert found.first_name == "Lena"  # a public form never overwrites what is known
    by_phone = booking_contact_match(
        first_name="L", last_name="M", email="new@example.test", phone="0151 23456789"
    )
    assert by_phone == known
    created = booking_contact_match(
        first_name="Jonas",
        last_name="Berg",
        email="jonas@example.test",
        phone="0151 11112222",
        sms_opt_in=True,
    )
    assert (created.source, created.phone, created.sms_consent) == (
        "online booking",
        "+4915111112222",
        "opted_in",
    )
    assert Contact.objects.count() == 2


def test_booking_contact_match_names_every_bad_field():
    with pytest.raises(ValidationError) as exc:
        booking_contact_match(first_name="", last_name="", email="nope", phone="12")
    assert set(exc.value.message_dict) == {"first_name", "last_name", "email", "phone"}
    assert Contact.objects.count() == 0
