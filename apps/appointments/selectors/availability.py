"""Free start times for a service: working hours (or that day's one-off hours), minus
holidays, time off and existing bookings with their buffers, with a free room when the
service needs one, inside the minimum notice and the booking horizon.

Everything is read in a handful of queries for the whole range and then computed in memory,
so 30 days for ten staff members with thousands of bookings takes milliseconds. Wall-clock
times become instants per day with the practice's zone, which keeps 09:00 at 09:00 on either
side of a daylight-saving change.

Rules of a slot starting at `t` for a service of duration `d` with buffers `bb` and `ba`:
- the appointment itself, [t, t + d), lies inside one working interval of the staff member;
- the block [t - bb, t + d + ba) overlaps none of their bookings' blocks or time off (the
  same range the exclusion constraint guards);
- with a room: some allowed room's bookings do not overlap the block either;
- t is on the step grid counted from local midnight, after now + minimum notice and before
  now + horizon (online and API bookings; the front desk may book outside these rules).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import BigIntegerField, F, Func, Q
from django.utils import timezone

from ..models import (
    Appointment,
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

Interval = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class Slot:
    """A free start time and who can take it, the least busy staff member first."""

    starts_at: dt.datetime
    staff_ids: tuple[int, ...]

    def local(self, zone: zoneinfo.ZoneInfo) -> dt.datetime:
        return self.starts_at.astimezone(zone)


def practice_zone() -> zoneinfo.ZoneInfo:
    """The business's time zone (UTC when it names none that exists)."""
    from apps.tenants.services import tenant_current

    try:
        return zoneinfo.ZoneInfo(tenant_current().time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def local_day_bounds(day: dt.date, zone: zoneinfo.ZoneInfo) -> Interval:
    """The instants a local calendar day starts and ends (23 or 25 hours on DST days)."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def _merge(intervals: Iterable[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Sorted, non-overlapping intervals as (starts, ends) lists for bisecting."""
    starts: list[int] = []
    ends: list[int] = []
    for low, high in sorted(intervals):
        if ends and low <= ends[-1]:
            if high > ends[-1]:
                ends[-1] = high
        else:
            starts.append(low)
            ends.append(high)
    return starts, ends


def _overlaps(busy: tuple[list[int], list[int]], low: int, high: int) -> bool:
    starts, ends = busy
    i = bisect_left(starts, high) - 1  # the last busy interval starting before `high`
    return i >= 0 and ends[i] > low


def slot_step() -> int:
    """The practice's slot step in minutes (a service may set its own)."""
    row = AppointmentSettings.objects.filter(pk=1).values_list("slot_step_minutes", flat=True)
    return row.first() or 15


def _step(service: Service) -> int:
    return service.step_minutes or slot_step()


def bookable_staff(*, service: Service, online: bool = False) -> list[StaffMember]:
    """Who may perform the service (and, online, who customers may book)."""
    staff = service.staff.filter(active=True)
    if online:
        staff = staff.filter(bookable_online=True)
    return list(staff.order_by("position", "name"))


def _epoch(field: str) -> Func:
    """A timestamp column as whole seconds since 1970: thousands of integers come out of the
    database and compare far faster than aware datetimes."""
    return Func(
        F(field),
        template="EXTRACT(EPOCH FROM %(expressions)s)::bigint",
        output_field=BigIntegerField(),
    )


def availability_for_service(
    *,
    service: Service,
    date_from: dt.date,
    date_to: dt.date,
    staff: StaffMember | None = None,
    online: bool = False,
    enforce_rules: bool = True,
    now: dt.datetime | None = None,
    ignore_appointment_id: int | None = None,
    ignore_bookings: bool = False,
) -> list[Slot]:
    """Free start times between two local dates (both included), for one staff member or
    anyone who performs the service. `ignore_appointment_id` leaves out the appointment being
    moved, so it can move to a time that overlaps its old one; `ignore_bookings` answers
    "would this time be offered on an empty calendar" (to tell a lost race from a bad time)."""
    if date_to < date_from:
        return []
    if online and not (service.online and service.active):
        return []
    zone = practice_zone()
    now = now or timezone.now()
    candidates = bookable_staff(service=service, online=online)
    if staff is not None:
        candidates = [s for s in candidates if s.pk == staff.pk]
    if not candidates:
        return []
    staff_ids = [s.pk for s in candidates]
    order = {staff_id: i for i, staff_id in enumerate(staff_ids)}
    # Local midnights of every day in the range (and the one after), as epoch seconds.
    days = [date_from + dt.timedelta(days=n) for n in range((date_to - date_from).days + 1)]
    midnights = [
        int(dt.datetime.combine(day, dt.time(0), tzinfo=zone).timestamp())
        for day in [*days, date_to + dt.timedelta(days=1)]
    ]
    before, after = service.buffer_before_minutes * 60, service.buffer_after_minutes * 60
    duration = service.duration_minutes * 60
    rules = _Rules(
        step=_step(service) * 60,
        duration=duration,
        before=before,
        after=after,
        earliest=int(now.timestamp()) + service.min_notice_minutes * 60 if enforce_rules else None,
        latest=int(now.timestamp()) + service.horizon_days * 86400 if enforce_rules else None,
    )
    # A block reaches at most `before` earlier and `after` later than its service's times.
    reach_low = dt.datetime.fromtimestamp(midnights[0] - before, dt.UTC)
    reach_high = dt.datetime.fromtimestamp(midnights[-1] + after + duration, dt.UTC)

    weekly: dict[int, dict[int, list[tuple[dt.time, dt.time]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for staff_id, weekday, start, end in WorkingHours.objects.filter(
        staff_id__in=staff_ids
    ).values_list("staff_id", "weekday", "start", "end"):
        weekly[staff_id][weekday].append((start, end))
    overrides: dict[tuple[int, dt.date], list[tuple[dt.time, dt.time]]] = defaultdict(list)
    for staff_id, day, start, end in HoursOverride.objects.filter(
        staff_id__in=staff_ids, date__range=(date_from, date_to)
    ).values_list("staff_id", "date", "start", "end"):
        overrides[(staff_id, day)].append((start, end))
    holidays = set(
        Holiday.objects.filter(date__range=(date_from, date_to)).values_list("date", flat=True)
    )
    busy: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for staff_id, low, high in (
        TimeOff.objects.filter(
            staff_id__in=staff_ids, starts_at__lt=reach_high, ends_at__gt=reach_low
        )
        .annotate(low=_epoch("starts_at"), high=_epoch("ends_at"))
        .values_list("staff_id", "low", "high")
    ):
        busy[staff_id].append((low, high))

    room_ids: list[int] = []
    if service.needs_room:
        room_ids = list(service.rooms.filter(active=True).values_list("pk", flat=True)) or list(
            Room.objects.filter(active=True).values_list("pk", flat=True)
        )
        if not room_ids:
            return []
    room_busy: dict[int, list[tuple[int, int]]] = defaultdict(list)
    per_day: dict[tuple[int, int], int] = defaultdict(int)  # bookings per (staff, day index)
    cap_count: dict[tuple[int, int], int] = defaultdict(int)  # of this service
    if not ignore_bookings:
        holding = Appointment.objects.exclude(status=AppointmentStatus.CANCELLED).filter(
            Q(staff_id__in=staff_ids) | Q(room_id__in=room_ids),
            block_start__lt=reach_high,
            block_end__gt=reach_low,
        )
        if ignore_appointment_id:
            holding = holding.exclude(pk=ignore_appointment_id)
        rows = (
            holding.annotate(
                low=_epoch("block_start"), high=_epoch("block_end"), start=_epoch("starts_at")
            )
            .order_by()
            .values_list("staff_id", "room_id", "service_id", "low", "high", "start")
        )
        this_service, room_set = service.pk, set(room_ids)
        for staff_id, room_id, service_id, low, high, start in _raw(rows):
            if staff_id in order:
                busy[staff_id].append((low, high))
                key = (staff_id, bisect_right(midnights, start) - 1)
                per_day[key] += 1
                if service_id == this_service:
                    cap_count[key] += 1
            if room_id in room_set:
                room_busy[room_id].append((low, high))
    merged = {staff_id: _merge(busy.get(staff_id, ())) for staff_id in staff_ids}
    rooms_merged = [_merge(room_busy.get(room_id, ())) for room_id in room_ids]

    free: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    clock = _WallClock(zone)
    for index, day in enumerate(days):
        if day in holidays:
            continue
        for staff_id in staff_ids:
            key = (staff_id, index)
            if service.daily_cap and cap_count[key] >= service.daily_cap:
                continue
            intervals = overrides.get((staff_id, day))
            if intervals is None:
                intervals = weekly.get(staff_id, {}).get(day.weekday(), [])
            rank = (per_day[key], order[staff_id], staff_id)
            for start, end in intervals:
                for t in _starts_in(day, start, end, clock, rules, merged[staff_id], rooms_merged):
                    free[t].append(rank)
    return [
        Slot(
            starts_at=dt.datetime.fromtimestamp(t, dt.UTC),
            staff_ids=tuple(s for _n, _o, s in sorted(free[t])),
        )
        for t in sorted(free)
    ]


@dataclass(frozen=True)
class _Rules:
    step: int  # all in seconds
    duration: int
    before: int
    after: int
    earliest: int | None
    latest: int | None


class _WallClock:
    """Local wall-clock times of a day as epoch seconds, each worked out once (most staff
    share the same opening hours)."""

    def __init__(self, zone: zoneinfo.ZoneInfo):
        self.zone = zone
        self.seen: dict[tuple[dt.date, dt.time], int] = {}

    def __call__(self, day: dt.date, time: dt.time) -> int:
        key = (day, time)
        value = self.seen.get(key)
        if value is None:
            value = int(dt.datetime.combine(day, time, tzinfo=self.zone).timestamp())
            self.seen[key] = value
        return value


def _raw(queryset) -> list[tuple]:
    """The rows of a values_list without Django's per-value converters (plain integers)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _starts_in(day, start, end, clock: _WallClock, rules: _Rules, busy, rooms) -> list[int]:
    """Free start times (epoch seconds) on the step grid inside one working interval."""
    step = rules.step // 60
    minute = start.hour * 60 + start.minute + (1 if start.second or start.microsecond else 0)
    first = -(-minute // step) * step  # the first grid point at or after the start
    if first >= 24 * 60:
        return []
    t = clock(day, dt.time(first // 60, first % 60))
    close = clock(day, end) - rules.duration
    if rules.earliest is not None and t < rules.earliest:
        t += -(-(rules.earliest - t) // rules.step) * rules.step  # first grid point not too soon
    if rules.latest is not None and close > rules.latest:
        close = rules.latest
    starts, ends = busy
    step, before, tail = rules.step, rules.before, rules.duration + rules.after
    found = []
    while t <= close:
        low, high = t - before, t + tail
        i = bisect_left(starts, high) - 1  # the last busy interval starting before `high`
        if i >= 0 and ends[i] > low:
            t += -(-(ends[i] - low) // step) * step  # jump to the first grid point after it
            continue
        if not rooms or any(not _overlaps(room, low, high) for room in rooms):
            found.append(t)
        t += step
    return found


def slot_at(
    *,
    service: Service,
    starts_at: dt.datetime,
    staff: StaffMember | None = None,
    online: bool = False,
    now: dt.datetime | None = None,
    ignore_appointment_id: int | None = None,
    ignore_bookings: bool = False,
) -> Slot | None:
    """The free slot starting exactly at `starts_at`, or None when that time is not offered."""
    day = starts_at.astimezone(practice_zone()).date()
    slots = availability_for_service(
        service=service,
        date_from=day,
        date_to=day,
        staff=staff,
        online=online,
        now=now,
        ignore_appointment_id=ignore_appointment_id,
        ignore_bookings=ignore_bookings,
    )
    return next((slot for slot in slots if slot.starts_at == starts_at), None)


def room_free_for(
    *,
    service: Service,
    block_start: dt.datetime,
    block_end: dt.datetime,
    ignore_appointment_id: int | None = None,
) -> list[Room]:
    """The rooms the service may use that are free for the whole block, in their order."""
    rooms = service.rooms.filter(active=True)
    if not rooms.exists():
        rooms = Room.objects.filter(active=True)
    taken = Appointment.objects.exclude(status=AppointmentStatus.CANCELLED).filter(
        room__isnull=False, block_start__lt=block_end, block_end__gt=block_start
    )
    if ignore_appointment_id:
        taken = taken.exclude(pk=ignore_appointment_id)
    return list(rooms.exclude(pk__in=taken.values("room_id")).order_by("position", "name"))


def slots_next(
    *,
    service: Service,
    after: dt.datetime,
    staff: StaffMember | None = None,
    online: bool = False,
    limit: int = 3,
    days: int = 14,
    now: dt.datetime | None = None,
) -> list[Slot]:
    """The next few free times from `after` (what a customer who lost a race is offered)."""
    zone = practice_zone()
    first = after.astimezone(zone).date()
    slots = availability_for_service(
        service=service,
        date_from=first,
        date_to=first + dt.timedelta(days=days - 1),
        staff=staff,
        online=online,
        now=now,
    )
    return [slot for slot in slots if slot.starts_at >= after][:limit]


def slots_by_day(slots: list[Slot], zone: zoneinfo.ZoneInfo) -> dict[dt.date, list[Slot]]:
    """Slots grouped by their local date, for a day picker."""
    grouped: dict[dt.date, list[Slot]] = defaultdict(list)
    for slot in slots:
        grouped[slot.starts_at.astimezone(zone).date()].append(slot)
    return dict(grouped)
