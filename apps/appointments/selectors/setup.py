"""Reads behind the set-up pages: each list in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ..models import (
    Holiday,
    HoursOverride,
    Room,
    Service,
    StaffMember,
    TimeOff,
    WaitlistEntry,
    WaitlistStatus,
    WorkingHours,
    calendar_token_hash,
)


def service_list() -> QuerySet[Service]:
    """Every service, active first, with who performs it and where (three queries)."""
    return Service.objects.prefetch_related(
        Prefetch("staff", queryset=StaffMember.objects.only("pk", "name", "color")),
        Prefetch("rooms", queryset=Room.objects.only("pk", "name")),
    ).order_by("-active", "position", "name")


def service_get(pk: int) -> Service:
    return get_object_or_404(Service.objects.prefetch_related("staff", "rooms"), pk=pk)


def staff_for_calendar_token(token: str) -> StaffMember | None:
    """The active staff member whose feed address carries this secret."""
    if not token:
        return None
    return StaffMember.objects.filter(
        calendar_token_hash=calendar_token_hash(token), active=True
    ).first()


def staff_list() -> QuerySet[StaffMember]:
    """Every staff member, active first, with their login, weekly hours and services."""
    return (
        StaffMember.objects.select_related("user")
        .prefetch_related(
            Prefetch("hours", queryset=WorkingHours.objects.order_by("weekday", "start"))
        )
        .annotate(service_count=Count("services", filter=Q(services__active=True)))
        .order_by("-active", "position", "name")
    )


def staff_get(pk: int) -> StaffMember:
    return get_object_or_404(StaffMember.objects.select_related("user"), pk=pk)


def staff_week(staff: StaffMember) -> dict[int, list[tuple[dt.time, dt.time]]]:
    """Weekly intervals by weekday (0 = Monday)."""
    week: dict[int, list[tuple[dt.time, dt.time]]] = {day: [] for day in range(7)}
    for weekday, start, end in (
        WorkingHours.objects.filter(staff=staff)
        .order_by("weekday", "start")
        .values_list("weekday", "start", "end")
    ):
        week[weekday].append((start, end))
    return week


def time_off_upcoming(staff: StaffMember, *, limit: int = 50) -> list[TimeOff]:
    """Time off that has not ended yet, soonest first."""
    return list(TimeOff.objects.filter(staff=staff, ends_at__gt=timezone.now())[:limit])


def overrides_upcoming(staff: StaffMember, *, today: dt.date) -> dict[dt.date, list]:
    """One-off hours from today on, grouped by date."""
    grouped: dict[dt.date, list] = {}
    for row in HoursOverride.objects.filter(staff=staff, date__gte=today).order_by("date", "start")[
        :200
    ]:
        grouped.setdefault(row.date, []).append((row.start, row.end))
    return grouped


def room_list() -> QuerySet[Room]:
    return Room.objects.annotate(service_count=Count("services")).order_by(
        "-active", "position", "name"
    )


def room_get(pk: int) -> Room:
    return get_object_or_404(Room, pk=pk)


def holiday_list(*, today: dt.date) -> list[Holiday]:
    """Holidays from a month ago on (older ones are history)."""
    return list(Holiday.objects.filter(date__gte=today - dt.timedelta(days=31)).order_by("date"))


def waitlist_open(*, limit: int = 200) -> list[WaitlistEntry]:
    """Customers still waiting (or told of a time and not yet booked), the longest waiting
    first, with what the list shows in one query."""
    return list(
        WaitlistEntry.objects.filter(status__in=[WaitlistStatus.WAITING, WaitlistStatus.NOTIFIED])
        .select_related("contact", "service", "staff")
        .defer("contact__search", "contact__custom")
        .order_by("date_from", "created")[:limit]
    )
