"""Set-up services: each refuses bad input with a message on the field, writes nothing then,
and the reminder offsets re-sync upcoming appointments."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.appointments.models import (
    AppointmentSettings,
    AppointmentStatus,
    Holiday,
    HoursOverride,
    Room,
    Service,
    StaffMember,
    TimeOff,
    WorkingHours,
)
from apps.appointments.selectors.setup import staff_for_calendar_token
from apps.appointments.services import setup as services
from tests.accounts.factories import UserFactory
from tests.appointments.factories import (
    AppointmentFactory,
    HolidayFactory,
    RoomFactory,
    ServiceFactory,
    StaffMemberFactory,
)

pytestmark = pytest.mark.django_db
T = dt.time


def _fields(exc: ValidationError) -> dict:
    return exc.value.message_dict


# --- services ------------------------------------------------------------------------------------
def test_service_create_saves_every_field_with_staff_and_rooms(tenant):
    anna, ben = StaffMemberFactory.create_batch(2)
    chair = RoomFactory()
    service = services.service_create(
        name="  Cleaning ",
        description="Hygiene",
        duration_minutes=45,
        price=Decimal("90.50"),
        buffer_before_minutes=5,
        buffer_after_minutes=10,
        step_minutes=15,
        daily_cap=4,
        needs_confirmation=True,
        min_notice_minutes=240,
        horizon_days=120,
        online=False,
        needs_room=True,
        recall_months=6,
        color="#112233",
        active=True,
        position=2,
        staff=[anna, ben],
        rooms=[chair],
    )
    service = Service.objects.get(pk=service.pk)
    assert service.name == "Cleaning"
    assert (service.duration_minutes, service.price, service.daily_cap) == (45, Decimal("90.50"), 4)
    assert (service.buffer_before_minutes, service.buffer_after_minutes) == (5, 10)
    assert service.needs_confirmation and service.needs_room and not service.online
    assert service.recall_months == 6 and service.color == "#112233"
    assert set(service.staff.all()) == {anna, ben}
    assert list(service.rooms.all()) == [chair]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"duration_minutes": 2}, "duration_minutes"),
        ({"duration_minutes": 13 * 60}, "duration_minutes"),
        ({"price": Decimal("-1")}, "price"),
        ({"color": "blue"}, "color"),
        ({"horizon_days": 0}, "horizon_days"),
        ({"buffer_after_minutes": 500}, "buffer_after_minutes"),
        ({"step_minutes": 1}, "step_minutes"),
        ({"recall_months": 0}, "recall_months"),
    ],
)
def test_service_create_names_the_bad_field_and_writes_nothing(tenant, changes, field):
    with pytest.raises(ValidationError) as exc:
        services.service_create(**{"name": "X", "duration_minutes": 30, **changes})
    assert field in _fields(exc)
    assert not Service.objects.exists()


def test_service_update_changes_fields_and_replaces_staff(tenant):
    anna, ben = StaffMemberFactory.create_batch(2)
    service = ServiceFactory(staff=[anna])
    services.service_update(service=service, name="Whitening", staff=[ben], rooms=[])
    service.refresh_from_db()
    assert service.name == "Whitening"
    assert list(service.staff.all()) == [ben]


def test_service_update_refused_keeps_the_row(tenant):
    service = ServiceFactory(name="Check-up")
    with pytest.raises(ValidationError) as exc:
        services.service_update(service=service, name="", duration_minutes=0)
    assert {"name", "duration_minutes"} <= set(_fields(exc))
    service.refresh_from_db()
    assert service.name == "Check-up"


def test_service_create_refuses_unknown_fields(tenant):
    with pytest.raises(TypeError):
        services.service_create(name="X", colour="#000000")


# --- staff ---------------------------------------------------------------------------------------
def test_staff_create_and_update(tenant):
    user = UserFactory()
    person = services.staff_create(
        name="Dr. Ada", title="Dentist", color="#aa00aa", user=user, bookable_online=False
    )
    assert person.user == user and not person.bookable_online
    assert person.calendar_token_hash is None  # no feed address until one is made
    services.staff_update(staff=person, name="Dr. Ada Byron", active=False)
    person.refresh_from_db()
    assert person.name == "Dr. Ada Byron" and not person.active


def test_staff_login_can_belong_to_one_staff_member_only(tenant):
    user = UserFactory()
    StaffMemberFactory(name="Dr. First", user=user)
    with pytest.raises(ValidationError) as exc:
        services.staff_create(name="Dr. Second", user=user)
    assert "Dr. First" in _fields(exc)["user"][0]
    assert not StaffMember.objects.filter(name="Dr. Second").exists()


@pytest.mark.parametrize(
    ("changes", "field"), [({"name": ""}, "name"), ({"color": "#12"}, "color")]
)
def test_staff_create_names_the_bad_field(tenant, changes, field):
    with pytest.raises(ValidationError) as exc:
        services.staff_create(**{"name": "X", **changes})
    assert field in _fields(exc)


def test_calendar_token_reset_returns_a_secret_that_is_kept_only_as_its_hash(tenant):
    person = StaffMemberFactory()
    _person, first = services.staff_calendar_token_reset(staff=person)
    person.refresh_from_db()
    assert len(first) >= 32
    assert person.calendar_token_hash == hashlib.sha256(first.encode()).hexdigest()
    row = StaffMember.objects.filter(pk=person.pk).values().get()
    assert first not in json.dumps(row, default=str)
    _person, second = services.staff_calendar_token_reset(staff=person)
    assert second != first
    assert staff_for_calendar_token(second) == person
    assert staff_for_calendar_token(first) is None


def test_a_feed_secret_finds_only_an_active_staff_member(tenant):
    person, token = services.staff_calendar_token_reset(staff=StaffMemberFactory())
    assert staff_for_calendar_token(token) == person
    assert staff_for_calendar_token("") is None
    services.staff_update(staff=person, active=False)
    assert staff_for_calendar_token(token) is None


# --- hours ---------------------------------------------------------------------------------------
def test_weekly_hours_replace_the_old_ones_with_several_intervals_a_day(tenant):
    person = StaffMemberFactory()
    WorkingHours.objects.create(staff=person, weekday=4, start=T(8), end=T(9))
    count = services.staff_hours_set(
        staff=person, week={0: [(T(13, 30), T(18)), (T(9), T(12, 30))], 2: [(T(10), T(16))]}
    )
    assert count == 3
    rows = list(WorkingHours.objects.filter(staff=person).values_list("weekday", "start", "end"))
    assert rows == [(0, T(9), T(12, 30)), (0, T(13, 30), T(18)), (2, T(10), T(16))]


def test_overlapping_intervals_within_a_day_are_refused_naming_the_day(tenant):
    person = StaffMemberFactory()
    WorkingHours.objects.create(staff=person, weekday=1, start=T(8), end=T(9))
    with pytest.raises(ValidationError) as exc:
        services.staff_hours_set(
            staff=person, week={0: [(T(9), T(12)), (T(11), T(14))], 1: [(T(9), T(10))]}
        )
    assert "09:00–12:00 overlaps 11:00–14:00" in _fields(exc)["monday"][0]
    assert "tuesday" not in _fields(exc)
    # nothing changed
    assert list(WorkingHours.objects.filter(staff=person).values_list("weekday", flat=True)) == [1]


def test_an_interval_must_end_after_it_starts(tenant):
    person = StaffMemberFactory()
    with pytest.raises(ValidationError) as exc:
        services.staff_hours_set(staff=person, week={6: [(T(18), T(9))]})
    assert "ends before it starts" in _fields(exc)["sunday"][0]


def test_touching_intervals_are_fine(tenant):
    person = StaffMemberFactory()
    assert services.staff_hours_set(staff=person, week={0: [(T(9), T(12)), (T(12), T(13))]}) == 2


def test_one_off_hours_replace_that_date_and_can_be_cleared(tenant):
    person = StaffMemberFactory()
    day = dt.date(2030, 5, 6)
    services.hours_override_set(staff=person, date=day, intervals=[(T(8), T(10))])
    services.hours_override_set(staff=person, date=day, intervals=[(T(14), T(20))])
    assert list(HoursOverride.objects.values_list("start", "end")) == [(T(14), T(20))]
    assert services.hours_override_clear(staff=person, date=day) == 1
    assert not HoursOverride.objects.exists()


def test_one_off_hours_need_an_interval_and_no_overlap(tenant):
    person = StaffMemberFactory()
    day = dt.date(2030, 5, 6)
    with pytest.raises(ValidationError) as exc:
        services.hours_override_set(staff=person, date=day, intervals=[])
    assert "time off" in _fields(exc)["intervals"][0]
    with pytest.raises(ValidationError) as exc:
        services.hours_override_set(
            staff=person, date=day, intervals=[(T(9), T(12)), (T(10), T(11))]
        )
    assert "intervals" in _fields(exc)


# --- time off ------------------------------------------------------------------------------------
def test_time_off_add_and_delete(tenant):
    person = StaffMemberFactory()
    start = timezone.now()
    off = services.time_off_add(
        staff=person, starts_at=start, ends_at=start + dt.timedelta(hours=3), reason=" Training "
    )
    assert off.reason == "Training"
    services.time_off_delete(time_off=off)
    assert not TimeOff.objects.exists()


@pytest.mark.parametrize(
    ("hours", "field", "words"),
    [
        (-1, "ends_at", "after the start"),
        (0, "ends_at", "after the start"),
        (24 * 400, "ends_at", "at most a year"),
    ],
)
def test_time_off_refuses_bad_ranges(tenant, hours, field, words):
    person = StaffMemberFactory()
    start = timezone.now()
    with pytest.raises(ValidationError) as exc:
        services.time_off_add(
            staff=person, starts_at=start, ends_at=start + dt.timedelta(hours=hours)
        )
    assert words in _fields(exc)[field][0]
    assert not TimeOff.objects.exists()


def test_time_off_needs_aware_times(tenant):
    with pytest.raises(ValidationError) as exc:
        services.time_off_add(
            staff=StaffMemberFactory(), starts_at=dt.datetime(2030, 1, 1), ends_at=None
        )
    assert {"starts_at", "ends_at"} <= set(_fields(exc))


# --- rooms and holidays --------------------------------------------------------------------------
def test_room_names_are_unique(tenant):
    services.room_create(name="Chair 1")
    with pytest.raises(ValidationError) as exc:
        services.room_create(name="Chair 1")
    assert "name" in _fields(exc)
    room = services.room_create(name="Chair 2", position=3)
    services.room_update(room=room, name="Chair 3", active=False)
    assert Room.objects.filter(name="Chair 3", active=False).exists()


def test_a_date_is_a_holiday_once(tenant):
    day = dt.date(2030, 12, 25)
    holiday = services.holiday_add(date=day, name="Christmas")
    with pytest.raises(ValidationError) as exc:
        services.holiday_add(date=day, name="Again")
    assert "already a holiday" in _fields(exc)["date"][0]
    services.holiday_delete(holiday=holiday)
    assert not Holiday.objects.exists()


def test_holiday_needs_a_date(tenant):
    with pytest.raises(ValidationError) as exc:
        services.holiday_add(date=None)
    assert "date" in _fields(exc)
    HolidayFactory()  # the factory still works beside the service


# --- booking rules -------------------------------------------------------------------------------
def test_settings_update_saves_rules_and_sorts_reminders(tenant):
    row = services.appointment_settings_update(
        slot_step_minutes=10,
        cancellation_notice_hours=48,
        online_booking=False,
        booking_intro="Welcome",
        reminders=[{"minutes": 60, "channel": "sms"}, {"minutes": 1440, "channel": ""}],
    )
    row = AppointmentSettings.objects.get(pk=row.pk)
    assert (row.slot_step_minutes, row.cancellation_notice_hours, row.online_booking) == (
        10,
        48,
        False,
    )
    assert row.reminders == [{"minutes": 1440, "channel": ""}, {"minutes": 60, "channel": "sms"}]


@pytest.mark.parametrize(
    ("reminders", "words"),
    [
        ([{"minutes": 0, "channel": ""}], "at least one minute"),
        ([{"minutes": -5, "channel": ""}], "at least one minute"),
        ([{"minutes": 31 * 1440, "channel": "email"}], "at most 30 days"),
        ([{"minutes": 60, "channel": "fax"}], "best channel, email, SMS or voice"),
        (
            [{"minutes": 60, "channel": "email"}, {"minutes": 60, "channel": "sms"}],
            "Reminder 2: another reminder",
        ),
        ([{"minutes": 60 * n, "channel": ""} for n in range(1, 8)], "at most 5"),
        ("soon", "list"),
    ],
)
def test_settings_refuse_bad_reminders_naming_the_field(tenant, reminders, words):
    before = services.appointment_settings().reminders
    with pytest.raises(ValidationError) as exc:
        services.appointment_settings_update(reminders=reminders)
    assert words in " ".join(_fields(exc)["reminders"])
    assert AppointmentSettings.objects.get(pk=1).reminders == before


def test_settings_refuse_a_bad_slot_step(tenant):
    with pytest.raises(ValidationError) as exc:
        services.appointment_settings_update(slot_step_minutes=1)
    assert "slot_step_minutes" in _fields(exc)


def test_changing_reminder_offsets_resyncs_reminders_only_when_they_change(tenant, monkeypatch):
    calls = []
    monkeypatch.setattr(services, "appointment_reminders_resync", lambda *, now: calls.append(now))
    services.appointment_settings_update(reminders=[{"minutes": 30, "channel": ""}])
    assert len(calls) == 1
    services.appointment_settings_update(
        reminders=[{"minutes": 30, "channel": ""}], booking_intro="Same reminders"
    )
    assert len(calls) == 1  # nothing to move when the offsets stay


def test_new_offsets_apply_to_upcoming_appointments(tenant):
    from apps.scheduling.models import DueWork, DueWorkStatus

    future = AppointmentFactory(starts_at=timezone.now() + dt.timedelta(days=3))
    cancelled = AppointmentFactory(status=AppointmentStatus.CANCELLED)
    services.appointment_settings_update(reminders=[{"minutes": 30, "channel": "sms"}])
    pending = set(
        DueWork.objects.filter(status=DueWorkStatus.PENDING).values_list("ref", flat=True)
    )
    assert f"{future.pk}:30:sms" in pending
    assert not any(ref.startswith(f"{cancelled.pk}:") for ref in pending)
