"""Rows of the appointments app written straight to the tables (the services have their own
tests). `week_hours` gives a staff member the same hours every weekday."""

from __future__ import annotations

import datetime as dt

import factory

from apps.appointments.models import (
    Appointment,
    Holiday,
    HoursOverride,
    Room,
    Service,
    StaffMember,
    TimeOff,
    WaitlistEntry,
    WorkingHours,
)
from tests.contacts.factories import ContactFactory


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    name = factory.Sequence(lambda n: f"Dr. Staff {n}")
    title = "Dentist"


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    name = factory.Sequence(lambda n: f"Chair {n}")


class ServiceFactory(factory.django.DjangoModelFactory):
    """A 30-minute service without buffers or notice, bookable by the staff passed in."""

    class Meta:
        model = Service
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Check-up {n}")
    duration_minutes = 30
    price = 80
    min_notice_minutes = 0
    horizon_days = 90
    step_minutes = 30

    @factory.post_generation
    def staff(self, create, extracted, **kwargs):
        if create and extracted:
            self.staff.set(extracted)

    @factory.post_generation
    def rooms(self, create, extracted, **kwargs):
        if create and extracted:
            self.rooms.set(extracted)


class WorkingHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingHours

    staff = factory.SubFactory(StaffMemberFactory)
    weekday = 0
    start = dt.time(9)
    end = dt.time(17)


def week_hours(staff: StaffMember, start=dt.time(9), end=dt.time(17), days=range(7)) -> None:
    """The same working hours every day in `days` (0 = Monday)."""
    WorkingHours.objects.bulk_create(
        [WorkingHours(staff=staff, weekday=d, start=start, end=end) for d in days]
    )


class HoursOverrideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HoursOverride

    staff = factory.SubFactory(StaffMemberFactory)
    date = factory.LazyFunction(dt.date.today)
    start = dt.time(12)
    end = dt.time(14)


class TimeOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeOff

    staff = factory.SubFactory(StaffMemberFactory)
    starts_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))


class HolidayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Holiday

    date = factory.LazyFunction(dt.date.today)
    name = "Public holiday"


class AppointmentFactory(factory.django.DjangoModelFactory):
    """An appointment row with its block computed from the service's buffers."""

    class Meta:
        model = Appointment

    contact = factory.SubFactory(ContactFactory)
    staff = factory.SubFactory(StaffMemberFactory)
    service = factory.SubFactory(ServiceFactory)
    starts_at = factory.LazyFunction(
        lambda: (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).replace(
            minute=0, second=0, microsecond=0
        )
    )
    # in UTC: minutes added to a zoned time would be wall-clock arithmetic across a DST change
    ends_at = factory.LazyAttribute(
        lambda o: o.starts_at.astimezone(dt.UTC) + dt.timedelta(minutes=o.service.duration_minutes)
    )
    block_start = factory.LazyAttribute(
        lambda o: (
            o.starts_at.astimezone(dt.UTC) - dt.timedelta(minutes=o.service.buffer_before_minutes)
        )
    )
    block_end = factory.LazyAttribute(
        lambda o: (
            o.ends_at.astimezone(dt.UTC) + dt.timedelta(minutes=o.service.buffer_after_minutes)
        )
    )
    price = factory.LazyAttribute(lambda o: o.service.price)


class WaitlistEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WaitlistEntry

    contact = factory.SubFactory(ContactFactory)
    service = factory.SubFactory(ServiceFactory)
    date_from = factory.LazyFunction(dt.date.today)
    date_to = factory.LazyAttribute(lambda o: o.date_from + dt.timedelta(days=7))
