"""The front desk's safety net, against the database: an outcome recorded by mistake can be
corrected the same day (business time) and is final afterwards; undoing a no-show gives the
count back once, also when two clicks race; a visit that has started can no longer be
confirmed, moved or cancelled; booking in the past or outside the hours needs its flag."""

import datetime as dt
from collections import Counter

import pytest
from django.core.exceptions import ValidationError

from apps.appointments.models import Appointment
from apps.appointments.services import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
    appointment_status_set,
)
from apps.contacts.models import Contact, TimelineEvent
from tests.appointments.factories import (
    HolidayFactory,
    HoursOverrideFactory,
    ServiceFactory,
    StaffMemberFactory,
    TimeOffFactory,
    week_hours,
)
from tests.contacts.factories import ContactFactory
from tests.helpers.clock import BERLIN
from tests.helpers.threads import run_together

DAY = dt.date(2027, 3, 3)  # a Wednesday; every time is passed in, so any hour runs it alike
NOW = dt.datetime(2027, 3, 1, 8, tzinfo=dt.UTC)


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BERLIN)


NEXT_DAY = DAY + dt.timedelta(days=1)


@pytest.fixture
def checkup(weber):
    return ServiceFactory(name="Check-up", staff=[weber])


def book(service, starts_at, **kwargs):
    kwargs.setdefault("contact", ContactFactory())
    kwargs.setdefault("source", "online")
    kwargs.setdefault("now", NOW)
    kwargs.setdefault("notify", False)
    return appointment_book(service=service, starts_at=starts_at, **kwargs)


def no_shows(contact) -> int:
    return Contact.objects.get(pk=contact.pk).no_shows


def code_of(exc: pytest.ExceptionInfo, field: str) -> str | None:
    return exc.value.error_dict[field][0].code


# --- corrections --------------------------------------------------------------------------------
@pytest.mark.usefixtures("tenant")
def test_a_completed_visit_can_become_a_no_show_until_the_end_of_its_day(checkup):
    contact = ContactFactory()
    appointment = book(checkup, at(9), contact=contact)
    appointment_status_set(appointment=appointment, status="completed", now=at(9, 40))
    appointment_status_set(appointment=appointment, status="no_show", now=at(23, 59))
    appointment.refresh_from_db()
    assert appointment.status == "no_show"
    assert no_shows(contact) == 1
    event = TimelineEvent.objects.filter(contact=contact).latest("pk")
    assert event.type == "appointment.status_corrected"
    assert (event.properties["previous_status"], event.properties["status"]) == (
        "completed",
        "no_show",
    )


@pytest.mark.usefixtures("tenant")
def test_every_outcome_can_be_corrected_into_every_other_the_same_day(checkup):
    appointment = book(checkup, at(9))
    path = ["checked_in", "no_show", "completed", "checked_in", "no_show", "checked_in"]
    for status in path:
        appointment = appointment_status_set(appointment=appointment, status=status, now=at(11))
        assert appointment.status == status
    assert no_shows(appointment.contact) == 0  # twice missed, twice undone


@pytest.mark.usefixtures("tenant")
def test_the_next_day_the_status_is_final(checkup):
    appointment = book(checkup, at(9))
    appointment_status_set(appointment=appointment, status="no_show", now=at(10))
    with pytest.raises(ValidationError, match="is final") as exc:
        appointment_status_set(appointment=appointment, status="checked_in", now=at(8, 0, NEXT_DAY))
    assert code_of(exc, "status") == "final"
    appointment.refresh_from_db()
    assert appointment.status == "no_show"
    assert no_shows(appointment.contact) == 1


@pytest.mark.usefixtures("tenant")
def test_the_day_ends_at_the_business_s_midnight_not_at_utc_midnight(checkup):
    """00:30 in Berlin is still the same day in UTC, but the practice's day is over."""
    appointment = book(checkup, at(9))
    appointment_status_set(appointment=appointment, status="completed", now=at(10))
    just_after = at(0, 30, NEXT_DAY)
    assert just_after.astimezone(dt.UTC).date() == DAY
    with pytest.raises(ValidationError, match="is final"):
        appointment_status_set(appointment=appointment, status="no_show", now=just_after)


@pytest.mark.usefixtures("tenant")
def test_completing_a_checked_in_visit_the_next_day_is_not_a_correction(checkup):
    appointment = book(checkup, at(9))
    appointment_status_set(appointment=appointment, status="checked_in", now=at(9))
    appointment = appointment_status_set(
        appointment=appointment, status="completed", now=at(9, 0, NEXT_DAY)
    )
    assert appointment.status == "completed"
    types = TimelineEvent.objects.filter(contact=appointment.contact).values_list("type", flat=True)
    assert "appointment.status_corrected" not in types


@pytest.mark.usefixtures("tenant")
def test_undoing_a_no_show_gives_the_count_back_once(checkup):
    contact = ContactFactory(no_shows=2)
    appointment = book(checkup, at(9), contact=contact)
    appointment_status_set(appointment=appointment, status="no_show", now=at(10))
    assert no_shows(contact) == 3
    appointment_status_set(appointment=appointment, status="completed", now=at(10))
    appointment_status_set(appointment=appointment, status="completed", now=at(10))  # again
    assert no_shows(contact) == 2
    corrections = TimelineEvent.objects.filter(contact=contact, type="appointment.status_corrected")
    assert corrections.count() == 1


def test_two_desks_undoing_the_same_no_show_at_once_give_the_count_back_once(committed_tenant):
    """Real threads, each with its own connection: one undo wins, the other finds the
    no-show already undone; the contact's count drops by one, not two."""
    weber = StaffMemberFactory()
    week_hours(weber, dt.time(9), dt.time(12))
    service = ServiceFactory(staff=[weber])
    contact = ContactFactory(no_shows=4)
    appointment = book(service, at(9), contact=contact)
    appointment_status_set(appointment=appointment, status="no_show", now=at(10))
    assert no_shows(contact) == 5

    def undo(status):
        return lambda: (
            appointment_status_set(
                appointment=Appointment.objects.get(pk=appointment.pk), status=status, now=at(10)
            ).status
        )

    for attempt in range(2):
        outcomes = run_together(
            [undo("checked_in"), undo("checked_in"), undo("completed")], tenant=committed_tenant
        )
        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        assert no_shows(contact) == 4
        if attempt == 0:  # again from a fresh no-show
            appointment_status_set(
                appointment=Appointment.objects.get(pk=appointment.pk),
                status="no_show",
                now=at(10),
            )
            assert no_shows(contact) == 5
    assert (
        Counter(TimelineEvent.objects.filter(contact=contact).values_list("type", flat=True))[
            "appointment.no_show"
        ]
        == 1
    )  # the second no-show was a correction too


# --- a visit that has started -------------------------------------------------------------------
@pytest.mark.usefixtures("tenant")
def test_a_started_appointment_cannot_be_cancelled_moved_or_confirmed(checkup):
    appointment = book(checkup, at(9))
    started = at(9, 5)
    with pytest.raises(ValidationError, match="already started") as exc:
        appointment_cancel(appointment=appointment, now=started)
    assert code_of(exc, "status") == "started"
    with pytest.raises(ValidationError, match="already started"):
        appointment_reschedule(appointment=appointment, starts_at=at(11), now=started)
    with pytest.raises(ValidationError, match="already started"):
        appointment_status_set(appointment=appointment, status="confirmed", now=started)
    with pytest.raises(ValidationError, match="already started"):
        appointment_status_set(appointment=appointment, status="cancelled", now=started)
    appointment.refresh_from_db()
    assert (appointment.status, appointment.starts_at) == ("booked", at(9))
    # what remains is recording how it went
    appointment = appointment_status_set(appointment=appointment, status="checked_in", now=started)
    assert appointment.status == "checked_in"


@pytest.mark.usefixtures("tenant")
def test_before_its_start_an_appointment_can_still_be_confirmed_moved_and_cancelled(checkup):
    appointment = book(checkup, at(9))
    before = at(8, 59)
    appointment_status_set(appointment=appointment, status="confirmed", now=before)
    appointment = appointment_reschedule(
        appointment=appointment, starts_at=at(10), now=before, notify=False
    )
    assert appointment.starts_at == at(10)
    assert appointment_cancel(appointment=appointment, now=before).status == "cancelled"


# --- booking in the past or outside the hours ---------------------------------------------------
@pytest.mark.usefixtures("tenant")
def test_a_past_booking_is_refused_without_the_flag_and_accepted_with_it(checkup, weber):
    later = at(11)
    with pytest.raises(ValidationError, match="allow_past") as exc:
        book(checkup, at(9), source="staff", staff=weber, now=later)
    assert code_of(exc, "starts_at") == "past"
    assert not Appointment.objects.exists()
    appointment = book(checkup, at(9), source="staff", staff=weber, now=later, allow_past=True)
    assert appointment.starts_at == at(9)


@pytest.mark.usefixtures("tenant")
def test_outside_the_hours_is_refused_without_the_flag_and_accepted_with_it(checkup, weber):
    for starts_at in (at(8, 45), at(11, 45), at(18)):  # before, running past the end, after
        with pytest.raises(ValidationError, match="allow_outside_hours") as exc:
            book(checkup, starts_at, source="staff", staff=weber)
        assert code_of(exc, "starts_at") == "outside_hours"
    assert not Appointment.objects.exists()
    assert book(checkup, at(18), source="staff", staff=weber, allow_outside_hours=True).pk
    assert book(checkup, at(11, 30), source="staff", staff=weber).pk  # inside: no question


@pytest.mark.usefixtures("tenant")
def test_holidays_time_off_and_one_off_hours_count_as_the_hours(checkup, weber):
    HolidayFactory(date=DAY)
    with pytest.raises(ValidationError, match="allow_outside_hours"):
        book(checkup, at(10), source="staff", staff=weber)
    other = DAY + dt.timedelta(days=1)
    TimeOffFactory(staff=weber, starts_at=at(10, 0, other), ends_at=at(11, 0, other))
    with pytest.raises(ValidationError, match="allow_outside_hours"):
        book(checkup, at(10, 15, other), source="staff", staff=weber)
    third = DAY + dt.timedelta(days=2)
    HoursOverrideFactory(staff=weber, date=third, start=dt.time(14), end=dt.time(18))
    with pytest.raises(ValidationError, match="allow_outside_hours"):
        book(checkup, at(10, 0, third), source="staff", staff=weber)
    assert book(checkup, at(15, 0, third), source="staff", staff=weber).pk


@pytest.mark.usefixtures("tenant")
def test_a_past_time_outside_the_hours_needs_both_flags(checkup, weber):
    with pytest.raises(ValidationError, match="allow_outside_hours"):
        book(checkup, at(7), source="staff", staff=weber, now=at(12), allow_past=True)
    appointment = book(
        checkup,
        at(7),
        source="staff",
        staff=weber,
        now=at(12),
        allow_past=True,
        allow_outside_hours=True,
    )
    assert appointment.starts_at == at(7)


@pytest.mark.usefixtures("tenant")
def test_online_booking_stays_strict_whatever_the_flags(checkup):
    with pytest.raises(ValidationError) as exc:
        book(checkup, at(18), allow_outside_hours=True, allow_past=True)
    assert "starts_at" in exc.value.message_dict
    assert not Appointment.objects.exists()


@pytest.mark.usefixtures("tenant")
def test_the_front_desk_moving_outside_the_hours_needs_the_flag(checkup, weber):
    appointment = book(checkup, at(9))
    with pytest.raises(ValidationError, match="allow_outside_hours"):
        appointment_reschedule(appointment=appointment, starts_at=at(18), now=NOW)
    moved = appointment_reschedule(
        appointment=appointment, starts_at=at(18), now=NOW, allow_outside_hours=True, notify=False
    )
    assert moved.starts_at == at(18)
