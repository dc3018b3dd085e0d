"""Reads behind the staff calendar: everything a day or a week shows, in a fixed handful of
queries whatever the number of staff and bookings, plus the contact page's appointments panel
and the contact search of the booking form."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.shortcuts import get_object_or_404
from django.utils import timezone

from apps.contacts.selectors import contact_list

from ..models import (
    UPCOMING,
    Appointment,
    AppointmentStatus,
    Holiday,
    HoursOverride,
    Service,
    StaffMember,
    TimeOff,
    WorkingHours,
)
from .availability import local_day_bounds, practice_zone, slot_step

if TYPE_CHECKING:
    from apps.contacts.models import Contact

Interval = tuple[dt.time, dt.time]
CONTACT_DEFER = ("contact__search", "contact__custom")


@dataclass
class CalendarData:
    """What the calendar draws for some staff over some local days."""

    zone: zoneinfo.ZoneInfo
    days: list[dt.date]
    staff: list[StaffMember]
    appointments: list[Appointment]
    hours: dict[tuple[int, dt.date], list[Interval]]  # the working intervals of each day
    overridden: set[tuple[int, dt.date]]  # days with one-off hours
    time_off: list[TimeOff]
    holidays: dict[dt.date, Holiday]
    step: int
    by_staff_day: dict[tuple[int, dt.date], list[Appointment]] = field(default_factory=dict)


def calendar_staff(*, include_inactive: bool = False) -> list[StaffMember]:
    """The people the calendar shows, in their set order."""
    staff = (
        StaffMember.objects.all() if include_inactive else StaffMember.objects.filter(active=True)
    )
    return list(staff.order_by("position", "name"))


def calendar_range(
    *,
    date_from: dt.date,
    date_to: dt.date,
    staff: StaffMember | None = None,
    zone: zoneinfo.ZoneInfo | None = None,
) -> CalendarData:
    """Bookings (all but cancelled), hours, one-off hours, time off and holidays between two
    local dates (both included), for one staff member or every active one. Staff who are no
    longer active but still have bookings in the range are shown too, so nothing is hidden."""
    zone = zone or practice_zone()
    start, _ = local_day_bounds(date_from, zone)
    _, end = local_day_bounds(date_to, zone)
    booked = (
        Appointment.objects.filter(starts_at__lt=end, ends_at__gt=start)
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("contact", "service", "room", "staff")
        .defer(*CONTACT_DEFER)
        .order_by("starts_at", "pk")
    )
    if staff is not None:
        people = [staff]
        appointments = list(booked.filter(staff=staff))
    else:
        people = calendar_staff()
        appointments = list(booked)
        known = {person.pk for person in people}
        extra = {a.staff_id: a.staff for a in appointments if a.staff_id not in known}
        people += sorted(extra.values(), key=lambda s: (s.position, s.name))
    ids = [person.pk for person in people]
    days = [date_from + dt.timedelta(days=n) for n in range((date_to - date_from).days + 1)]

    weekly: dict[tuple[int, int], list[Interval]] = defaultdict(list)
    for staff_id, weekday, low, high in WorkingHours.objects.filter(staff_id__in=ids).values_list(
        "staff_id", "weekday", "start", "end"
    ):
        weekly[(staff_id, weekday)].append((low, high))
    overrides: dict[tuple[int, dt.date], list[Interval]] = defaultdict(list)
    for staff_id, day, low, high in HoursOverride.objects.filter(
        staff_id__in=ids, date__range=(date_from, date_to)
    ).values_list("staff_id", "date", "start", "end"):
        overrides[(staff_id, day)].append((low, high))
    hours = {}
    for person in people:
        for day in days:
            key = (person.pk, day)
            hours[key] = sorted(overrides.get(key) or weekly.get((person.pk, day.weekday()), []))
    time_off = list(
        TimeOff.objects.filter(staff_id__in=ids, starts_at__lt=end, ends_at__gt=start).order_by(
            "starts_at"
        )
    )
    holidays = {h.date: h for h in Holiday.objects.filter(date__range=(date_from, date_to))}
    by_staff_day: dict[tuple[int, dt.date], list[Appointment]] = defaultdict(list)
    for appointment in appointments:
        by_staff_day[(appointment.staff_id, appointment.starts_at.astimezone(zone).date())].append(
            appointment
        )
    return CalendarData(
        zone=zone,
        days=days,
        staff=people,
        appointments=appointments,
        hours=hours,
        overridden=set(overrides),
        time_off=time_off,
        holidays=holidays,
        step=slot_step(),
        by_staff_day=dict(by_staff_day),
    )


def appointment_get(pk: int) -> Appointment:
    """One appointment of this business with what its page shows, or 404."""
    return get_object_or_404(
        Appointment.objects.select_related(
            "contact", "service", "staff", "room", "created_by"
        ).defer(*CONTACT_DEFER),
        pk=pk,
    )


def appointments_awaiting_approval(*, limit: int = 20) -> list[Appointment]:
    """Online requests that wait for a person to accept them, soonest first."""
    return list(
        Appointment.objects.filter(
            awaiting_approval=True, status__in=UPCOMING, starts_at__gte=timezone.now()
        )
        .select_related("contact", "service", "staff")
        .defer(*CONTACT_DEFER)
        .order_by("starts_at")[:limit]
    )


def appointments_clashing(
    *, staff: StaffMember, starts_at: dt.datetime, ends_at: dt.datetime
) -> list[Appointment]:
    """Upcoming bookings of a staff member inside a time (what time off would leave stranded)."""
    return list(
        Appointment.objects.filter(
            staff=staff, status__in=UPCOMING, starts_at__lt=ends_at, ends_at__gt=starts_at
        )
        .select_related("contact", "service")
        .defer(*CONTACT_DEFER)
        .order_by("starts_at")[:50]
    )


def appointments_for_contact(
    contact: Contact,
    *,
    upcoming_limit: int = 5,
    past_limit: int = 3,
    now: dt.datetime | None = None,
) -> dict:
    """The contact page's panel: what is booked next and the last few visits (two queries;
    the no-show count is on the contact itself)."""
    now = now or timezone.now()
    rows = Appointment.objects.filter(contact=contact).select_related("service", "staff")
    upcoming = list(
        rows.filter(status__in=UPCOMING, ends_at__gte=now).order_by("starts_at")[:upcoming_limit]
    )
    past = list(
        rows.filter(starts_at__lt=now)
        .exclude(pk__in=[a.pk for a in upcoming])
        .order_by("-starts_at")[:past_limit]
    )
    return {"upcoming": upcoming, "past": past}


def contacts_for_booking(query: str, *, limit: int = 8) -> list[Contact]:
    """Contacts matching what was typed (name, email or phone), for the booking form."""
    if not (query or "").strip():
        return []
    return list(
        contact_list(query=query)
        .select_related(None)
        .only("pk", "first_name", "last_name", "email", "phone", "no_shows")[:limit]
    )


def services_for_staff(staff: StaffMember | None) -> list[Service]:
    """The active services a staff member performs (all active ones when nobody is chosen)."""
    services = Service.objects.filter(active=True)
    if staff is not None:
        services = services.filter(staff=staff)
    return list(services.order_by("position", "name"))


def service_preselected(*, staff: StaffMember | None, services: list[Service]) -> Service | None:
    """The service a free time most likely is for: the only one on offer, else the one this
    staff member was last booked for (one query), else none."""
    if len(services) == 1:
        return services[0]
    if staff is None or not services:
        return None
    by_pk = {service.pk: service for service in services}
    last = (
        Appointment.objects.filter(staff=staff, service_id__in=by_pk)
        .order_by("-created", "-pk")
        .values_list("service_id", flat=True)
        .first()
    )
    return by_pk.get(last) if last else None


def appointments_on_day(day: dt.date, *, zone: zoneinfo.ZoneInfo | None = None):
    """The visits of one local day, all but cancelled and no-shows (a queryset, for other
    apps to narrow: feedback's "Remember today" card)."""
    zone = zone or practice_zone()
    start, end = local_day_bounds(day, zone)
    return Appointment.objects.filter(starts_at__gte=start, starts_at__lt=end).exclude(
        status__in=[AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW]
    )


def appointments_today(*, limit: int = 15) -> tuple[list[Appointment], int]:
    """The practice's day for the home page: the next visits still to come (and those in the
    chair), and how many the day holds in all (one query for each)."""
    zone = practice_zone()
    day_start, day_end = local_day_bounds(timezone.now().astimezone(zone).date(), zone)
    day = Appointment.objects.filter(starts_at__gte=day_start, starts_at__lt=day_end).exclude(
        status=AppointmentStatus.CANCELLED
    )
    coming = (
        day.filter(status__in=[*UPCOMING, AppointmentStatus.CHECKED_IN], ends_at__gt=timezone.now())
        .select_related("contact", "service", "staff")
        .defer(*CONTACT_DEFER)
        .order_by("starts_at")[:limit]
    )
    return list(coming), day.count()
