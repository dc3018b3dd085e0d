"""The calendar grid as plain data for the template: one column per staff member and day, rows
of five minutes, and items (working hours, time off, free times, appointments) placed on them.

Positions and colours leave as classes plus one nonce'd style block, because the page's
content security policy forbids inline style attributes. Items keep time order inside their
column, so on a phone the same markup flows as a list.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field
from math import gcd

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from apps.tenants.formats import business_style, format_day_short, format_time

from ..models import Appointment, AppointmentStatus, StaffMember, TimeOff
from ..selectors.calendar import CalendarData

ROW = 5  # minutes per grid row
DAY = 24 * 60
DEFAULT_OPEN, DEFAULT_CLOSE = 8 * 60, 18 * 60
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
# Order inside a column at the same minute: backgrounds first, then what sits on them.
_LAYER = {"open": 0, "off": 1, "free": 2, "appt": 3}


def safe_color(value: str, fallback: str = "#64748b") -> str:
    return value if _HEX.match(value or "") else fallback


def _minutes(moment: dt.datetime, day: dt.date, zone: zoneinfo.ZoneInfo) -> int:
    """Minutes after local midnight of `day`, clipped to the day."""
    local = moment.astimezone(zone)
    if local.date() < day:
        return 0
    if local.date() > day:
        return DAY
    return local.hour * 60 + local.minute


def _clock(minute: int) -> str:
    """The time of a minute of the day as a form value ("09:30")."""
    return "24:00" if minute >= DAY else f"{minute // 60:02d}:{minute % 60:02d}"


def _clock_label(minute: int) -> str:
    """The time of a minute of the day as people read it: "9:30 AM" or "09:30" (the end of
    the day is "24:00" on a 24-hour clock, "12:00 AM" on a 12-hour one)."""
    if minute >= DAY and not business_style().clock_12:
        return "24:00"
    return format_time(dt.time((minute // 60) % 24, minute % 60))


@dataclass
class Item:
    kind: str  # open | off | free | appt
    start: int  # minutes after midnight
    end: int
    row: int = 0
    span: int = 1
    appointment: Appointment | None = None
    time_off: TimeOff | None = None
    url: str = ""
    lane: str = ""  # the practice's week: the class placing it beside overlapping ones

    @property
    def label(self) -> str:
        return f"{_clock_label(self.start)}–{_clock_label(self.end)}"

    @property
    def start_label(self) -> str:
        return _clock_label(self.start)

    @property
    def end_label(self) -> str:
        return _clock_label(self.end)

    @property
    def state(self) -> str:
        return status_class(self.appointment) if self.appointment else ""

    @property
    def size(self) -> str:
        """How much text fits: one line up to 20 minutes, two up to 40."""
        minutes = self.span * ROW
        return "is-compact" if minutes <= 20 else "is-short" if minutes <= 40 else ""


@dataclass
class Column:
    staff: StaffMember
    day: dt.date
    title: str
    subtitle: str = ""
    holiday: str | None = None
    working: bool = False
    overridden: bool = False
    is_today: bool = False
    items: list[Item] = field(default_factory=list)

    url: str = ""

    @property
    def key(self) -> str:
        return f"{self.staff.pk}-{self.day:%Y%m%d}"

    @property
    def colour(self) -> str:
        """The class giving the column its staff member's colour (none for a whole day)."""
        return f"c-stf{self.staff.pk}" if self.staff.pk else ""

    @property
    def appointments(self) -> list[Item]:
        return [item for item in self.items if item.kind == "appt"]

    @property
    def has_free(self) -> bool:
        return any(item.kind == "free" for item in self.items)


@dataclass
class Grid:
    columns: list[Column]
    first: int
    last: int
    rows: int
    hours: list[tuple[str, int]]
    css: str
    lanes: bool = False  # the practice's week: several people's bookings side by side


def _free_times(
    day: dt.date,
    intervals: list[tuple[int, int]],
    busy: list[tuple[int, int]],
    step: int,
    earliest: int,
) -> list[tuple[int, int]]:
    """Starts on the step grid (counted from midnight, as online) whose step is all free."""
    free = []
    for low, high in intervals:
        t = -(-max(low, earliest) // step) * step
        while t + step <= high:
            if not any(b_low < t + step and b_high > t for b_low, b_high in busy):
                free.append((t, t + step))
            t += step
    return free


def build_grid(
    data: CalendarData,
    columns: list[tuple[StaffMember, dt.date, str, str]],
    *,
    now: dt.datetime,
    can_book: bool,
    back: str,
) -> Grid:
    """Place everything of `columns` ((staff, day, title, subtitle) each) on one grid; links
    carry `back`, the calendar page to return to."""
    zone, step = data.zone, data.step
    today_local = now.astimezone(zone)
    book_url = reverse("appointments:appointment_book")
    off_by_staff: dict[int, list[TimeOff]] = {}
    for off in data.time_off:
        off_by_staff.setdefault(off.staff_id, []).append(off)
    built: list[Column] = []
    for staff, day, title, subtitle in columns:
        holiday = data.holidays.get(day)
        column = Column(
            staff=staff,
            day=day,
            title=title,
            subtitle=subtitle,
            holiday=(holiday.name or _("Holiday")) if holiday else None,
            overridden=(staff.pk, day) in data.overridden,
            is_today=day == today_local.date(),
        )
        intervals = [
            (t.hour * 60 + t.minute, e.hour * 60 + e.minute)
            for t, e in data.hours.get((staff.pk, day), [])
        ]
        column.working = bool(intervals) and not holiday
        busy: list[tuple[int, int]] = []
        if not holiday:  # a holiday is shaded whole, whatever the usual hours
            for low, high in intervals:
                column.items.append(Item("open", low, high))
        for off in off_by_staff.get(staff.pk, []):
            low, high = _minutes(off.starts_at, day, zone), _minutes(off.ends_at, day, zone)
            if high > low:
                column.items.append(Item("off", low, high, time_off=off))
                busy.append((low, high))
        for appointment in data.by_staff_day.get((staff.pk, day), []):
            low = _minutes(appointment.starts_at, day, zone)
            high = max(_minutes(appointment.ends_at, day, zone), low + ROW)
            url = reverse("appointments:appointment_detail", args=[appointment.pk])
            column.items.append(
                Item(
                    "appt",
                    low,
                    high,
                    appointment=appointment,
                    url=f"{url}?{urlencode({'next': back})}",
                )
            )
            busy.append(
                (
                    _minutes(appointment.block_start, day, zone),
                    _minutes(appointment.block_end, day, zone),
                )
            )
        if can_book and column.working and staff.active:
            if day < today_local.date():
                earliest = DAY
            elif day == today_local.date():
                earliest = today_local.hour * 60 + today_local.minute
            else:
                earliest = 0
            for low, high in _free_times(day, intervals, busy, step, earliest):
                query = {
                    "staff": staff.pk,
                    "date": day.isoformat(),
                    "time": _clock(low),
                    "next": back,
                }
                column.items.append(Item("free", low, high, url=f"{book_url}?{urlencode(query)}"))
        column.items.sort(key=lambda item: (item.start, _LAYER[item.kind]))
        built.append(column)
    return _place(built, data)


def _place(built: list[Column], data: CalendarData) -> Grid:
    """Rows for the hours the columns use, and the style rules that put each item there."""
    starts = [i.start for c in built for i in c.items] or [DEFAULT_OPEN]
    ends = [i.end for c in built for i in c.items] or [DEFAULT_CLOSE]
    first = min(starts) // 60 * 60
    last = min(DAY, -(-max(max(ends), first + 60) // 60) * 60)
    rows = (last - first) // ROW
    rules: set[str] = set()
    for column in built:
        for item in column.items:
            item.row = (max(item.start, first) - first) // ROW + 1
            item.span = max(1, -(-(min(item.end, last) - max(item.start, first)) // ROW))
            rules.add(f".r{item.row}{{grid-row-start:{item.row}}}")
            rules.add(f".s{item.span}{{grid-row-end:span {item.span}}}")
    hours = []
    for minute in range(first, last, 60):
        row = (minute - first) // ROW + 1
        hours.append((_clock_label(minute), row))
        rules.add(f".r{row}{{grid-row-start:{row}}}")
    rules.add(f".s{60 // ROW}{{grid-row-end:span {60 // ROW}}}")
    colours = {
        f".c-svc{a.service_id}{{--c:{safe_color(a.service.color, '#0ea5e9')}}}"
        for a in data.appointments
    }
    colours |= {f".c-stf{s.pk}{{--c:{safe_color(s.color, '#2563eb')}}}" for s in data.staff}
    css = (
        f".cal{{--rows:{rows};--cols:{len(built)}}}"
        + "".join(sorted(rules))
        + "".join(sorted(colours))
    )
    return Grid(columns=built, first=first, last=last, rows=rows, hours=hours, css=css)


def staff_colours_css(staff: list[StaffMember]) -> str:
    return "".join(f".c-stf{s.pk}{{--c:{safe_color(s.color, '#2563eb')}}}" for s in staff)


def status_class(appointment: Appointment) -> str:
    """A modifier class per state; awaiting approval wins over the status."""
    if appointment.awaiting_approval:
        return "pending"
    return {
        AppointmentStatus.NO_SHOW: "no-show",
        AppointmentStatus.COMPLETED: "done",
        AppointmentStatus.CHECKED_IN: "here",
        AppointmentStatus.CONFIRMED: "confirmed",
    }.get(appointment.status, "booked")


MAX_LANES = 4  # side by side in one day column; more overlap in a cluster share the last lane


def _lanes(items: list[Item]) -> list[tuple[Item, int, int]]:
    """(item, lane, lanes of its cluster) for appointments in time order: overlapping ones sit
    side by side, the rest take the whole width."""
    placed: list[tuple[Item, int, int]] = []
    cluster: list[tuple[Item, int]] = []
    ends: list[int] = []  # per lane, where its last item ends
    cluster_end = -1

    def close() -> None:
        width = min(MAX_LANES, len(ends)) or 1
        placed.extend((item, min(lane, width - 1), width) for item, lane in cluster)

    for item in items:
        if cluster and item.start >= cluster_end:
            close()
            cluster, ends = [], []
        lane = next((n for n, end in enumerate(ends) if end <= item.start), len(ends))
        if lane == len(ends):
            ends.append(item.end)
        else:
            ends[lane] = item.end
        cluster.append((item, lane))
        cluster_end = max(cluster_end if len(cluster) > 1 else -1, item.end)
    if cluster:
        close()
    return placed


def build_week_grid(data: CalendarData, *, now: dt.datetime, back: str) -> Grid:
    """The practice's week as seven day columns on one time axis: everyone's bookings placed
    by time (side by side where they overlap, each with its staff member's colour), the hours
    anyone works shaded open, holidays shaded whole."""
    zone = data.zone
    today = now.astimezone(zone).date()
    by_day: dict[dt.date, list[Appointment]] = {day: [] for day in data.days}
    for appointment in data.appointments:
        day = appointment.starts_at.astimezone(zone).date()
        if day in by_day:
            by_day[day].append(appointment)
    built: list[Column] = []
    lanes_of: dict[int, tuple[int, int]] = {}  # id(item) -> (grid column start, span)
    widths: set[int] = set()
    for day in data.days:
        holiday = data.holidays.get(day)
        column = Column(
            staff=StaffMember(),  # everyone
            day=day,
            title=format_day_short(day),  # Thu, Mar 5 · Thu 5 Mar: the business's order
            subtitle="",
            holiday=(holiday.name or _("Holiday")) if holiday else None,
            is_today=day == today,
        )
        if not holiday:
            for person in data.staff:
                for low, high in data.hours.get((person.pk, day), []):
                    column.items.append(
                        Item("open", low.hour * 60 + low.minute, high.hour * 60 + high.minute)
                    )
        column.working = any(item.kind == "open" for item in column.items)
        appointments = []
        for appointment in by_day[day]:
            low = _minutes(appointment.starts_at, day, zone)
            high = max(_minutes(appointment.ends_at, day, zone), low + ROW)
            url = reverse("appointments:appointment_detail", args=[appointment.pk])
            appointments.append(
                Item(
                    "appt",
                    low,
                    high,
                    appointment=appointment,
                    url=f"{url}?{urlencode({'next': back})}",
                )
            )
        for item, lane, width in _lanes(appointments):
            lanes_of[id(item)] = (lane, width)
            widths.add(width)
        column.items.extend(appointments)
        column.items.sort(key=lambda item: (item.start, _LAYER[item.kind]))
        built.append(column)
    grid = _place(built, data)
    # Lanes: every column is split into `lcm` tracks; a cluster of n takes lcm / n each.
    lcm = 1
    for width in widths:
        lcm = lcm * width // gcd(lcm, width)
    rules = {f".cal--lanes .cal__col{{grid-template-columns:repeat({lcm},minmax(0,1fr))}}"}
    for column in built:
        for item in column.items:
            if item.kind != "appt":
                continue
            lane, width = lanes_of[id(item)]
            span = lcm // width
            item.lane = f"l{lane * span + 1}-{span}"
            rules.add(
                f".cal--lanes .cal__col>.{item.lane}{{grid-column:{lane * span + 1}/span {span}}}"
            )
    grid.css += "".join(sorted(rules))
    grid.lanes = True
    return grid
