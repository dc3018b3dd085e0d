"""Free start times: hours, buffers, notice, horizon, time off, one-off hours, holidays, rooms,
"anyone", daily caps and days on which the clocks change (Europe/Berlin, tenant alpha)."""

import datetime as dt

import pytest

from apps.appointments.models import AppointmentSettings
from apps.appointments.selectors import availability_for_service, slots_next
from tests.appointments.factories import (
    AppointmentFactory,
    HolidayFactory,
    HoursOverrideFactory,
    RoomFactory,
    ServiceFactory,
    StaffMemberFactory,
    TimeOffFactory,
    week_hours,
)
from tests.helpers.clock import BERLIN

DAY = dt.date(2027, 3, 3)  # a Wednesday
NOW = dt.datetime(2027, 3, 1, 8, tzinfo=dt.UTC)

pytestmark = pytest.mark.usefixtures("tenant")


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BERLIN).astimezone(dt.UTC)


def local_times(slots) -> list[str]:
    return [s.starts_at.astimezone(BERLIN).strftime("%H:%M") for s in slots]


def free(service, day=DAY, **kwargs):
    kwargs.setdefault("now", NOW)
    return availability_for_service(service=service, date_from=day, date_to=day, **kwargs)


@pytest.fixture
def dentist():
    staff = StaffMemberFactory(name="Dr. Weber")
    week_hours(staff, dt.time(9), dt.time(12))
    return staff


def test_slots_follow_the_working_hours_on_the_step_grid(dentist):
    service = ServiceFactory(staff=[dentist], duration_minutes=60, step_minutes=30)
    assert local_times(free(service)) == ["09:00", "09:30", "10:00", "10:30", "11:00"]


def test_several_intervals_a_day_leave_the_lunch_break_free():
    staff = StaffMemberFactory()
    week_hours(staff, dt.time(9), dt.time(10))
    week_hours(staff, dt.time(13), dt.time(14))
    service = ServiceFactory(staff=[staff])
    assert local_times(free(service)) == ["09:00", "09:30", "13:00", "13:30"]


def test_the_practice_step_applies_when_the_service_has_none(dentist):
    AppointmentSettings.objects.create(pk=1, slot_step_minutes=20)
    service = ServiceFactory(staff=[dentist], step_minutes=None, duration_minutes=60)
    assert local_times(free(service))[:4] == ["09:00", "09:20", "09:40", "10:00"]


def test_existing_booking_and_both_buffers_block_the_time_around_it(dentist):
    booked = ServiceFactory(staff=[dentist], buffer_after_minutes=15)
    AppointmentFactory(staff=dentist, service=booked, starts_at=at(10))  # blocks 10:00-10:45
    service = ServiceFactory(staff=[dentist], step_minutes=15, buffer_before_minutes=15)
    # 09:30 would need its own time until 10:00 (ok) -- 09:45 would run into the booking;
    # 10:45 would need 10:30-10:45 as its buffer before, which the booking's buffer holds.
    assert local_times(free(service)) == ["09:00", "09:15", "09:30", "11:00", "11:15", "11:30"]


def test_a_cancelled_booking_frees_its_time(dentist):
    service = ServiceFactory(staff=[dentist])
    AppointmentFactory(staff=dentist, service=service, starts_at=at(9), status="cancelled")
    assert "09:00" in local_times(free(service))


def test_minimum_notice_hides_times_too_soon():
    staff = StaffMemberFactory()
    week_hours(staff, dt.time(9), dt.time(17))
    service = ServiceFactory(staff=[staff], min_notice_minutes=120)
    now = at(9, 10)
    assert local_times(free(service, now=now))[0] == "11:30"  # 09:10 + 2 h, next grid point
    assert local_times(free(service, now=now, enforce_rules=False))[0] == "09:00"


def test_the_horizon_ends_the_bookable_range(dentist):
    service = ServiceFactory(staff=[dentist], horizon_days=2)
    assert free(service, now=at(10, 0, DAY - dt.timedelta(days=2)))  # exactly 2 days: 10:00 ok
    assert local_times(free(service, now=at(10, 0, DAY - dt.timedelta(days=2)))) == [
        "09:00",
        "09:30",
        "10:00",
    ]
    assert free(service, now=at(9, 0, DAY - dt.timedelta(days=5))) == []


def test_time_off_removes_the_hours_it_covers(dentist):
    TimeOffFactory(staff=dentist, starts_at=at(9, 30), ends_at=at(11))
    service = ServiceFactory(staff=[dentist])
    assert local_times(free(service)) == ["09:00", "11:00", "11:30"]


def test_one_off_hours_replace_the_week_for_that_date(dentist):
    HoursOverrideFactory(staff=dentist, date=DAY, start=dt.time(15), end=dt.time(16))
    service = ServiceFactory(staff=[dentist])
    assert local_times(free(service)) == ["15:00", "15:30"]
    assert local_times(free(service, day=DAY + dt.timedelta(days=1)))[0] == "09:00"


def test_a_holiday_closes_the_whole_practice(dentist):
    HolidayFactory(date=DAY)
    service = ServiceFactory(staff=[dentist])
    assert free(service) == []


def test_a_room_shared_by_two_dentists_is_free_for_only_one_of_them_at_a_time():
    chair = RoomFactory(name="Chair 1")
    weber, klein = StaffMemberFactory(name="Weber"), StaffMemberFactory(name="Klein")
    for staff in (weber, klein):
        week_hours(staff, dt.time(9), dt.time(11))
    service = ServiceFactory(staff=[weber, klein], needs_room=True, rooms=[chair])
    AppointmentFactory(staff=weber, service=service, room=chair, starts_at=at(9))
    # Klein is free at 09:00 but the only chair is not.
    assert "09:00" not in local_times(free(service, staff=klein))
    assert local_times(free(service, staff=klein)) == ["09:30", "10:00", "10:30"]
    RoomFactory(name="Chair 2")  # not one of the service's rooms: still not offered
    assert "09:00" not in local_times(free(service, staff=klein))


def test_a_service_with_no_listed_rooms_uses_any_active_room():
    staff = StaffMemberFactory()
    week_hours(staff, dt.time(9), dt.time(10))
    service = ServiceFactory(staff=[staff], needs_room=True)
    assert free(service) == []  # no room at all
    RoomFactory()
    assert local_times(free(service)) == ["09:00", "09:30"]


def test_anyone_offers_every_staff_members_times_least_busy_first():
    weber, klein = StaffMemberFactory(name="Weber"), StaffMemberFactory(name="Klein")
    week_hours(weber, dt.time(9), dt.time(10))
    week_hours(klein, dt.time(9, 30), dt.time(11))
    service = ServiceFactory(staff=[weber, klein])
    AppointmentFactory(staff=klein, service=service, starts_at=at(10, 30))
    slots = free(service)
    assert local_times(slots) == ["09:00", "09:30", "10:00"]
    by_time = {s.starts_at.astimezone(BERLIN).strftime("%H:%M"): s.staff_ids for s in slots}
    assert by_time["09:00"] == (weber.pk,)
    assert by_time["09:30"] == (weber.pk, klein.pk)  # Klein already has a booking that day
    assert by_time["10:00"] == (klein.pk,)


def test_only_staff_who_perform_the_service_and_are_active_are_offered():
    doer, other, gone = StaffMemberFactory(), StaffMemberFactory(), StaffMemberFactory(active=False)
    for staff in (doer, other, gone):
        week_hours(staff, dt.time(9), dt.time(10))
    service = ServiceFactory(staff=[doer, gone])
    assert {s for slot in free(service) for s in slot.staff_ids} == {doer.pk}
    assert free(service, staff=other) == []


def test_online_offers_only_staff_customers_may_choose(dentist):
    hidden = StaffMemberFactory(bookable_online=False)
    week_hours(hidden, dt.time(14), dt.time(15))
    service = ServiceFactory(staff=[dentist, hidden])
    assert "14:00" in local_times(free(service))
    assert "14:00" not in local_times(free(service, online=True))


def test_a_service_not_bookable_online_offers_nothing_online(dentist):
    service = ServiceFactory(staff=[dentist], online=False)
    assert free(service, online=True) == []
    assert free(service)  # the front desk sees its times


def test_the_daily_cap_stops_offering_a_service_that_day(dentist):
    service = ServiceFactory(staff=[dentist], daily_cap=1)
    AppointmentFactory(staff=dentist, service=service, starts_at=at(9))
    assert free(service) == []
    assert free(service, day=DAY + dt.timedelta(days=1))


def test_the_moved_appointment_does_not_block_its_own_new_time(dentist):
    service = ServiceFactory(staff=[dentist], duration_minutes=60)
    booking = AppointmentFactory(staff=dentist, service=service, starts_at=at(9))
    assert "09:30" not in local_times(free(service))
    assert "09:30" in local_times(free(service, ignore_appointment_id=booking.pk))


def test_spring_forward_day_keeps_the_wall_clock_hours():
    """28 March 2027: 02:00 becomes 03:00. Nine o'clock is 07:00 UTC that day, 08:00 before."""
    staff = StaffMemberFactory()
    week_hours(staff, dt.time(9), dt.time(10))
    service = ServiceFactory(staff=[staff], horizon_days=400)
    saturday, sunday = dt.date(2027, 3, 27), dt.date(2027, 3, 28)
    assert free(service, day=saturday)[0].starts_at == dt.datetime(2027, 3, 27, 8, tzinfo=dt.UTC)
    assert free(service, day=sunday)[0].starts_at == dt.datetime(2027, 3, 28, 7, tzinfo=dt.UTC)


def test_hours_across_the_missing_hour_offer_only_real_time():
    """Working 00:00-06:00 on the spring-forward night is five real hours: ten 30-minute
    slots, and none at a wall-clock time that does not exist."""
    staff = StaffMemberFactory()
    week_hours(staff, dt.time(0), dt.time(6))
    service = ServiceFactory(staff=[staff], horizon_days=400)
    slots = free(service, day=dt.date(2027, 3, 28))
    assert len(slots) == 10
    assert local_times(slots)[3:6] == ["01:30", "03:00", "03:30"]


def test_fall_back_day_keeps_the_wall_clock_hours():
    """31 October 2027: 03:00 becomes 02:00. Nine o'clock is 08:00 UTC again."""
    staff = StaffMemberFactory()
    week_hours(staff, dt.time(9), dt.time(10))
    service = ServiceFactory(staff=[staff], horizon_days=400)
    slots = free(service, day=dt.date(2027, 10, 31))
    assert [s.starts_at for s in slots] == [
        dt.datetime(2027, 10, 31, 8, tzinfo=dt.UTC),
        dt.datetime(2027, 10, 31, 8, 30, tzinfo=dt.UTC),
    ]


def test_a_range_of_days_and_next_free_times(dentist):
    service = ServiceFactory(staff=[dentist], duration_minutes=60, step_minutes=60)
    slots = availability_for_service(
        service=service, date_from=DAY, date_to=DAY + dt.timedelta(days=2), now=NOW
    )
    assert len(slots) == 9  # three days of 09, 10, 11
    after = slots_next(service=service, after=at(11), now=NOW, limit=2)
    assert [s.starts_at for s in after] == [at(11), at(9, 0, DAY + dt.timedelta(days=1))]
