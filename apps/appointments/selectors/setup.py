"""Reads behind the set-up pages: each list in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
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
from ..services.booking import appointment_settings
from .availability import practice_zone


def _today() -> dt.date:
    return timezone.now().astimezone(practice_zone()).date()


def staff_has_hours(*, today: dt.date) -> Q:
    """On a StaffMember query: they have weekly hours, or one-off hours from `today` on."""
    return Exists(WorkingHours.objects.filter(staff=OuterRef("pk"))) | Exists(
        HoursOverride.objects.filter(staff=OuterRef("pk"), date__gte=today)
    )


def service_performable(*, online: bool = False, today: dt.date | None = None) -> Exists:
    """On a Service query: an active staff member assigned to it has hours (and, `online`,
    takes online bookings). A service without one cannot be booked by anybody."""
    people = StaffMember.objects.filter(services=OuterRef("pk"), active=True)
    if online:
        people = people.filter(bookable_online=True)
    return Exists(people.filter(staff_has_hours(today=today or _today())))


def services_bookable_online() -> QuerySet[Service]:
    """What customers can book on the booking page: active, online, and someone who takes
    online bookings and has hours performs it."""
    return Service.objects.filter(service_performable(online=True), active=True, online=True)


def service_list() -> QuerySet[Service]:
    """Every service, active first, with who performs it and where (three queries), and
    whether anybody can perform it (`performable`) and be booked for it online
    (`online_performable`). Each staff member carries `has_hours`, for the fix link."""
    today = _today()
    return (
        Service.objects.prefetch_related(
            Prefetch(
                "staff",
                queryset=StaffMember.objects.only("pk", "name", "color", "active").annotate(
                    has_hours=staff_has_hours(today=today)
                ),
            ),
            Prefetch("rooms", queryset=Room.objects.only("pk", "name")),
        )
        .annotate(
            performable=service_performable(today=today),
            online_performable=service_performable(online=True, today=today),
        )
        .order_by("-active", "position", "name")
    )


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


# --- the booking set-up checklist on Home ---------------------------------------------------------
@dataclass(frozen=True)
class SetupChecklist:
    """Where a business stands in setting up online booking: 1) someone has opening hours,
    2) a service someone performs, 3) the booking page seen or its link copied."""

    hours_staff_id: int | None  # whose hours step 1 links to (None: add a staff member first)
    hours_done: bool
    service_done: bool
    service_id: int | None  # a service to fix when step 2 is not done, if there is one
    shared_done: bool
    dismissed: bool

    @property
    def done(self) -> bool:
        return self.hours_done and self.service_done and self.shared_done

    @property
    def shown(self) -> bool:
        return not (self.done or self.dismissed)

    @property
    def current(self) -> int:
        """The first step still to do (1 to 3; 0 when all are done)."""
        steps = (self.hours_done, self.service_done, self.shared_done)
        return next((n for n, done in enumerate(steps, start=1) if not done), 0)

    @property
    def done_count(self) -> int:
        return sum((self.hours_done, self.service_done, self.shared_done))


def setup_checklist() -> SetupChecklist:
    """The checklist's state in three queries, however many staff and services there are."""
    today = _today()
    row = appointment_settings()
    people = list(
        StaffMember.objects.filter(active=True)
        .annotate(has_hours=staff_has_hours(today=today))
        .order_by("-has_hours", "position", "name")
        .values_list("pk", "has_hours")[:1]
    )
    hours_done = bool(people and people[0][1])
    # step 1 links to the first person with hours, or to the first one while nobody has any
    hours_staff_id = people[0][0] if people else None
    services = list(
        Service.objects.filter(active=True)
        .annotate(performable=service_performable(today=today))
        .order_by("-performable", "position", "name")
        .values_list("pk", "performable")[:1]
    )
    return SetupChecklist(
        hours_staff_id=hours_staff_id,
        hours_done=hours_done,
        service_done=bool(services and services[0][1]),
        service_id=services[0][0] if services else None,
        shared_done=row.booking_page_shared_at is not None,
        dismissed=row.setup_checklist_dismissed_at is not None,
    )
