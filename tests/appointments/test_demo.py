"""The demo practice: the team, chairs, week and services the issue asks for, a month either
side of today that never double-books, reminders for the future, the waitlist, the recall run,
and quickly."""

import datetime as dt
import random
import time

import pytest
from django.db.models import Count
from django.utils import timezone

from apps.appointments.demo import demo_seed
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
from apps.appointments.selectors import availability_for_service, practice_zone
from apps.appointments.services import appointment_book, appointment_settings
from apps.appointments.services.recall import RECALL
from apps.appointments.services.reminders import REMINDER
from apps.contacts.models import Contact, TimelineEvent
from apps.scheduling.models import DueWork

pytestmark = pytest.mark.usefixtures("tenant")


@pytest.fixture
def seeded(tenant):
    Contact.objects.bulk_create(
        [
            Contact(
                first_name=f"Pat{n}",
                last_name="Demo",
                email=f"pat{n}@example.test",
                phone=f"+1312555{n:04d}",
            )
            for n in range(2000)
        ]
    )
    started = time.monotonic()
    demo_seed(tenant=tenant, rng=random.Random(2026))
    return time.monotonic() - started


def test_the_practice_has_its_team_chairs_week_and_services(seeded):
    staff = {s.name: s for s in StaffMember.objects.all()}
    assert len([s for s in staff.values() if s.title == "Dentist"]) == 3
    assert len([s for s in staff.values() if s.title == "Dental hygienist"]) == 2
    assert "Dr. Anna Weber" in staff
    assert Room.objects.count() == 4
    weber = staff["Dr. Anna Weber"]
    tuesday = list(WorkingHours.objects.filter(staff=weber, weekday=1).order_by("start"))
    assert [(h.start, h.end) for h in tuesday] == [
        (dt.time(11), dt.time(14)),
        (dt.time(15), dt.time(19, 30)),
    ]  # a lunch break and the late evening
    assert not WorkingHours.objects.filter(weekday__gte=5).exists()
    hygienist_days = set(
        WorkingHours.objects.filter(staff__title="Dental hygienist").values_list("staff", "weekday")
    )
    assert len(hygienist_days) == 5  # part-time: five days between the two of them

    services = {s.name: s for s in Service.objects.all()}
    assert services["Check-up"].recall_months == 6
    assert services["Check-up"].duration_minutes == 30
    assert services["Root canal"].needs_confirmation
    assert services["Root canal"].duration_minutes == 90
    assert not services["Emergency visit"].online
    assert set(services["Professional cleaning"].staff.values_list("title", flat=True)) == {
        "Dental hygienist"
    }
    assert all(s.needs_room for s in services.values())
    assert Holiday.objects.exists() and TimeOff.objects.count() == 2
    assert HoursOverride.objects.count() == 1
    assert appointment_settings().reminders == [
        {"minutes": 2880, "channel": "email"},
        {"minutes": 120, "channel": ""},
    ]


def test_a_month_either_side_without_double_bookings(seeded):
    now = timezone.now()
    past = Appointment.objects.filter(starts_at__lt=now, starts_at__gte=now - dt.timedelta(31))
    future = Appointment.objects.filter(starts_at__gt=now)
    assert past.count() > 300 and future.count() > 150
    statuses = dict(past.values_list("status").annotate(n=Count("pk")))
    assert statuses["completed"] > 0.7 * past.count()
    assert statuses["no_show"] > 0 and statuses["cancelled"] > 0
    assert set(future.values_list("status", flat=True)) <= {"booked", "confirmed", "cancelled"}
    assert future.filter(starts_at__gt=now + dt.timedelta(days=25)).exists()
    # nothing on a holiday or during time off
    zone = practice_zone()
    holidays = set(Holiday.objects.values_list("date", flat=True))
    assert not any(
        a.starts_at.astimezone(zone).date() in holidays for a in Appointment.objects.all()
    )
    for off in TimeOff.objects.all():
        assert not Appointment.objects.filter(
            staff=off.staff, block_start__lt=off.ends_at, block_end__gt=off.starts_at
        ).exists()
    # the database would have refused an overlap; check the chairs and people anyway
    rows = list(Appointment.objects.exclude(status="cancelled").order_by("block_start"))
    for key in ("staff_id", "room_id"):
        last_end = {}
        for a in rows:
            assert getattr(a, key) is not None
            assert last_end.get(getattr(a, key), a.block_start) <= a.block_start
            last_end[getattr(a, key)] = a.block_end
    # no-shows are counted on the contacts
    no_shows = Appointment.objects.filter(status="no_show").count()
    assert sum(Contact.objects.values_list("no_shows", flat=True)) == no_shows
    completed = Appointment.objects.filter(status="completed").count()
    assert TimelineEvent.objects.filter(type="appointment.completed").count() == completed


def test_future_appointments_have_their_reminders(seeded):
    now = timezone.now()
    reminded = Appointment.objects.filter(
        starts_at__gt=now + dt.timedelta(hours=49),
        status__in=["booked", "confirmed"],
        awaiting_approval=False,
    )
    rows = DueWork.objects.pending().filter(kind=REMINDER)
    assert rows.count() >= 2 * reminded.count() > 0
    sample = reminded.first()
    assert rows.get(ref=f"{sample.pk}:2880:email").due_at == sample.starts_at - dt.timedelta(2)
    cancelled = Appointment.objects.filter(starts_at__gt=now, status="cancelled").first()
    assert not rows.filter(ref__startswith=f"{cancelled.pk}:").exists()


def test_recall_waitlist_and_the_booking_page_are_ready(seeded):
    assert DueWork.objects.pending().filter(kind=RECALL).count() == 1
    from apps.appointments.services import recall_due

    assert len(recall_due()) >= 10  # check-ups seven to nine months ago, nothing booked
    assert WaitlistEntry.objects.filter(status="waiting").count() == 4
    checkup = Service.objects.get(name="Check-up")
    today = timezone.now().astimezone(practice_zone()).date()
    slots = availability_for_service(
        service=checkup,
        date_from=today + dt.timedelta(days=1),
        date_to=today + dt.timedelta(days=14),
        online=True,
    )
    assert len(slots) > 20  # the booking page has times to offer
    booked = appointment_book(
        service=checkup,
        starts_at=slots[0].starts_at,
        contact=Contact.objects.first(),
        source="online",
        notify=False,
    )
    assert booked.room is not None


def test_the_seed_is_quick(seeded):
    assert seeded < 5
