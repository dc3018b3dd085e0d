"""What the calendar reads (selectors.calendar) and how the grid places it (views.grid):
effective hours, one-off hours, time off, holidays, cancelled bookings, buffers, a day across
a daylight-saving change, and the contact page's panel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from apps.appointments.models import AppointmentStatus
from apps.appointments.selectors import calendar as selectors
from apps.appointments.views.grid import build_grid, safe_color
from tests.appointments.factories import (
    AppointmentFactory,
    HolidayFactory,
    HoursOverrideFactory,
    ServiceFactory,
    StaffMemberFactory,
    TimeOffFactory,
    week_hours,
)
from tests.contacts.factories import ContactFactory
from tests.helpers.clock import BERLIN

pytestmark = pytest.mark.django_db
T = dt.time
DAY = dt.date(2030, 6, 5)  # a Wednesday
NOW = dt.datetime(2030, 6, 1, 12, tzinfo=BERLIN)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, T(hour, minute), BERLIN)


@pytest.fixture
def anna(tenant):
    person = StaffMemberFactory(name="Dr. Anna")
    week_hours(person, T(9), T(12))
    week_hours(person, T(13), T(17))
    return person


def _grid(data, person, day=DAY, now=NOW):
    return build_grid(data, [(person, day, person.name, "")], now=now, can_book=True, back="/x")


def _free(column) -> list[str]:
    return [item.start_label for item in column.items if item.kind == "free"]


# --- calendar_range ------------------------------------------------------------------------------
def test_range_reads_the_days_hours_with_one_off_hours_replacing_the_week(anna):
    HoursOverrideFactory(staff=anna, date=DAY, start=T(7), end=T(10))
    data = selectors.calendar_range(date_from=DAY, date_to=DAY + dt.timedelta(days=1))
    assert data.days == [DAY, DAY + dt.timedelta(days=1)]
    assert data.hours[(anna.pk, DAY)] == [(T(7), T(10))]
    assert data.hours[(anna.pk, DAY + dt.timedelta(days=1))] == [(T(9), T(12)), (T(13), T(17))]
    assert data.overridden == {(anna.pk, DAY)}


def test_range_leaves_out_cancelled_bookings_and_other_days(anna):
    service = ServiceFactory(staff=[anna])
    kept = AppointmentFactory(staff=anna, service=service, starts_at=_at(DAY, 10))
    AppointmentFactory(
        staff=anna, service=service, starts_at=_at(DAY, 11), status=AppointmentStatus.CANCELLED
    )
    AppointmentFactory(staff=anna, service=service, starts_at=_at(DAY + dt.timedelta(days=1), 10))
    data = selectors.calendar_range(date_from=DAY, date_to=DAY)
    assert [a.pk for a in data.appointments] == [kept.pk]
    assert data.by_staff_day == {(anna.pk, DAY): [kept]}


def test_range_for_the_practice_shows_active_staff_and_inactive_ones_with_bookings(anna):
    gone = StaffMemberFactory(name="Dr. Gone", active=False, position=9)
    StaffMemberFactory(name="Dr. Idle", active=False)
    AppointmentFactory(staff=gone, starts_at=_at(DAY, 10))
    data = selectors.calendar_range(date_from=DAY, date_to=DAY)
    assert [s.name for s in data.staff] == ["Dr. Anna", "Dr. Gone"]


def test_range_for_one_person_reads_only_theirs(anna):
    ben = StaffMemberFactory()
    AppointmentFactory(staff=ben, starts_at=_at(DAY, 10))
    data = selectors.calendar_range(date_from=DAY, date_to=DAY, staff=anna)
    assert data.staff == [anna] and data.appointments == []


def test_range_reads_time_off_reaching_into_the_range_and_holidays(anna):
    TimeOffFactory(staff=anna, starts_at=_at(DAY - dt.timedelta(days=3), 0), ends_at=_at(DAY, 10))
    TimeOffFactory(
        staff=anna,
        starts_at=_at(DAY + dt.timedelta(days=2), 0),
        ends_at=_at(DAY + dt.timedelta(days=3), 0),
    )
    HolidayFactory(date=DAY, name="Closed")
    data = selectors.calendar_range(date_from=DAY, date_to=DAY)
    assert len(data.time_off) == 1 and data.holidays[DAY].name == "Closed"


def test_slot_step_comes_from_the_settings(tenant):
    from apps.appointments.services.setup import appointment_settings_update

    assert selectors.slot_step() == 15
    appointment_settings_update(slot_step_minutes=20)
    assert selectors.slot_step() == 20


# --- the grid ------------------------------------------------------------------------------------
def test_free_times_follow_the_step_and_skip_bookings_with_their_buffers(anna):
    service = ServiceFactory(staff=[anna], buffer_before_minutes=15, buffer_after_minutes=15)
    AppointmentFactory(staff=anna, service=service, starts_at=_at(DAY, 10))
    column = _grid(selectors.calendar_range(date_from=DAY, date_to=DAY), anna).columns[0]
    free = _free(column)
    # block 09:45-10:45 is busy: 09:30 (to 09:45) is free, 09:45 and 10:30 are not
    assert "09:30" in free and "09:45" not in free and "10:30" not in free and "10:45" in free
    assert "12:00" not in free and free[-1] == "16:45"
    appointment = column.appointments[0]
    assert (appointment.label, appointment.span) == ("10:00–10:30", 6)


def test_time_off_and_holidays_take_the_free_times_away(anna):
    TimeOffFactory(staff=anna, starts_at=_at(DAY, 13), ends_at=_at(DAY, 20))
    column = _grid(selectors.calendar_range(date_from=DAY, date_to=DAY), anna).columns[0]
    assert _free(column)[-1] == "11:45"
    assert [i.label for i in column.items if i.kind == "off"] == ["13:00–20:00"]
    HolidayFactory(date=DAY)
    column = _grid(selectors.calendar_range(date_from=DAY, date_to=DAY), anna).columns[0]
    assert _free(column) == [] and column.holiday and not column.working


def test_no_free_times_before_now(anna):
    now = _at(DAY, 15, 10)
    column = _grid(selectors.calendar_range(date_from=DAY, date_to=DAY), anna, now=now).columns[0]
    assert _free(column)[0] == "15:15"


def test_the_grid_spans_the_hours_shown_and_places_rows(anna):
    AppointmentFactory(staff=anna, starts_at=_at(DAY, 18, 5))
    grid = _grid(selectors.calendar_range(date_from=DAY, date_to=DAY), anna)
    assert (grid.first, grid.last) == (9 * 60, 19 * 60)
    assert grid.hours[0] == ("09:00", 1) and grid.hours[-1] == ("18:00", 109)
    appointment = grid.columns[0].appointments[0]
    assert appointment.row == 110 and ".r110{grid-row-start:110}" in grid.css


def test_a_booking_crossing_midnight_is_clipped_to_each_day(anna):
    service = ServiceFactory(staff=[anna], duration_minutes=120)
    AppointmentFactory(staff=anna, service=service, starts_at=_at(DAY, 23))
    data = selectors.calendar_range(date_from=DAY, date_to=DAY)
    item = _grid(data, anna).columns[0].appointments[0]
    assert item.label == "23:00–24:00"


def test_a_day_across_the_daylight_saving_change_keeps_wall_clock_hours(anna):
    day = dt.date(2030, 3, 31)  # clocks go forward at 02:00 in Berlin
    AppointmentFactory(staff=anna, starts_at=_at(day, 10))
    data = selectors.calendar_range(date_from=day, date_to=day)
    column = _grid(data, anna, day=day, now=_at(day - dt.timedelta(days=1), 12)).columns[0]
    assert column.appointments[0].label == "10:00–10:30"
    assert _free(column)[0] == "09:00"


def test_colours_in_the_style_block_are_only_hex(anna):
    service = ServiceFactory(staff=[anna], color="red;}}x")
    AppointmentFactory(staff=anna, service=service, starts_at=_at(DAY, 10))
    grid = _grid(selectors.calendar_range(date_from=DAY, date_to=DAY), anna)
    assert "red;" not in grid.css and "#0ea5e9" in grid.css
    assert safe_color("#ABCDEF") == "#ABCDEF" and safe_color("</style>") == "#64748b"


# --- the contact page's panel and the booking form -------------------------------------------
def test_appointments_for_contact_splits_upcoming_and_past(anna):
    contact = ContactFactory()
    now = timezone.now()
    soon = AppointmentFactory(contact=contact, staff=anna, starts_at=now + dt.timedelta(days=1))
    later = AppointmentFactory(contact=contact, staff=anna, starts_at=now + dt.timedelta(days=9))
    AppointmentFactory(
        contact=contact,
        staff=anna,
        starts_at=now + dt.timedelta(days=2),
        status=AppointmentStatus.CANCELLED,
    )
    done = AppointmentFactory(
        contact=contact,
        staff=anna,
        starts_at=now - dt.timedelta(days=30),
        status=AppointmentStatus.COMPLETED,
    )
    AppointmentFactory(starts_at=now + dt.timedelta(days=1))  # someone else's
    panel = selectors.appointments_for_contact(contact)
    assert panel["upcoming"] == [soon, later]
    assert panel["past"] == [done]


def test_contacts_for_booking_searches_and_skips_erased(tenant):
    ContactFactory(first_name="Marguerite", last_name="Duras")
    ContactFactory(first_name="Margaret", last_name="Erased", erased_at=timezone.now())
    assert [c.first_name for c in selectors.contacts_for_booking("marg")] == ["Marguerite"]
    assert selectors.contacts_for_booking("  ") == []


def test_services_for_staff_are_their_active_ones(anna):
    mine = ServiceFactory(name="A", staff=[anna])
    ServiceFactory(name="B", staff=[anna], active=False)
    other = ServiceFactory(name="C")
    assert selectors.services_for_staff(anna) == [mine]
    assert selectors.services_for_staff(None) == [mine, other]


def test_awaiting_approval_lists_upcoming_requests_only(anna):
    now = timezone.now()
    pending = AppointmentFactory(
        staff=anna, awaiting_approval=True, starts_at=now + dt.timedelta(days=1)
    )
    AppointmentFactory(staff=anna, awaiting_approval=True, starts_at=now - dt.timedelta(days=1))
    AppointmentFactory(
        staff=anna,
        awaiting_approval=True,
        starts_at=now + dt.timedelta(days=2),
        status=AppointmentStatus.CANCELLED,
    )
    assert selectors.appointments_awaiting_approval() == [pending]


def test_appointments_clashing_with_time_off(anna):
    hit = AppointmentFactory(staff=anna, starts_at=_at(DAY, 10))
    AppointmentFactory(staff=anna, starts_at=_at(DAY, 15))
    found = selectors.appointments_clashing(staff=anna, starts_at=_at(DAY, 9), ends_at=_at(DAY, 12))
    assert found == [hit]
