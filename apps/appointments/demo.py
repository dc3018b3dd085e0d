"""Bright Smile Dental's practice: three dentists, two hygienists, four chairs, their week,
six services, a holiday and time off, and a month of past and a month of future appointments.

The history is written in bulk (a few thousand rows through the services would take a minute)
from a day plan that never overlaps a person or a chair, so the exclusion constraints hold as
they do for real bookings; the future ones then get their reminders registered in bulk, and
the daily recall run is booked. Waitlist entries go through the service.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

from django.utils import timezone

from apps.accounts.models import User
from apps.contacts.models import Contact
from apps.contacts.services import contacts_no_shows_add, events_ingest

from .models import (
    Appointment,
    AppointmentStatus,
    Holiday,
    HoursOverride,
    Room,
    Service,
    Source,
    StaffMember,
    TimeOff,
    WorkingHours,
)
from .selectors.availability import practice_zone
from .services.booking import appointment_settings
from .services.recall import recall_schedule_daily
from .services.reminders import appointment_reminders_sync_many
from .services.waitlist import waitlist_join

S = AppointmentStatus
GRID = 15  # minutes: every start is on the quarter hour, like the booking page offers
DAYS = 30
T = dt.time

# name, title, colour, login email, chair, weekly hours {weekday: [(start, end), ...]}
DENTIST_WEEK = [(T(8), T(12)), (T(13), T(17))]
TEAM = [
    (
        "Dr. Maya Patel",
        "Dentist",
        "#2563eb",
        "maya@brightsmile.example",
        "Chair 1",
        {d: DENTIST_WEEK for d in range(4)} | {4: [(T(8), T(13))]},
    ),
    (
        "Dr. Anna Weber",
        "Dentist",
        "#7c3aed",
        None,
        "Chair 2",
        {
            0: DENTIST_WEEK,
            1: [(T(11), T(14)), (T(15), T(19, 30))],  # the late evening
            2: DENTIST_WEEK,
            3: DENTIST_WEEK,
            4: DENTIST_WEEK,
        },
    ),
    (
        "Dr. Samuel Okafor",
        "Dentist",
        "#059669",
        None,
        "Chair 3",
        {d: [(T(8, 30), T(12, 30)), (T(13, 30), T(17, 30))] for d in range(5)},
    ),
    (
        "Hannah Schmidt",
        "Dental hygienist",
        "#db2777",
        "hannah@brightsmile.example",
        "Chair 4",
        {d: [(T(8), T(12)), (T(12, 30), T(15))] for d in (0, 2, 4)},
    ),  # part-time
    (
        "Kenji Watanabe",
        "Dental hygienist",
        "#ea580c",
        "kenji@brightsmile.example",
        "Chair 4",
        {d: [(T(9), T(13)), (T(13, 30), T(17, 30))] for d in (1, 3)},
    ),  # part-time
]
CHAIRS = ["Chair 1", "Chair 2", "Chair 3", "Chair 4"]

# name, minutes, price, before, after, who, extra fields, weight in a day's plan
SERVICES = [
    (
        "Check-up",
        30,
        "95",
        0,
        10,
        "dentist",
        {
            "recall_months": 6,
            "description": "Examination and advice; X-rays when needed.",
            "color": "#0ea5e9",
        },
        40,
    ),
    (
        "Professional cleaning",
        45,
        "120",
        0,
        15,
        "hygienist",
        {"description": "Scaling, polishing and tips for home care.", "color": "#14b8a6"},
        1,
    ),
    (
        "Filling",
        60,
        "210",
        5,
        10,
        "dentist",
        {
            "description": "Tooth-coloured composite filling.",
            "color": "#6366f1",
            "min_notice_minutes": 240,
        },
        25,
    ),
    (
        "Root canal",
        90,
        "980",
        10,
        15,
        "dentist",
        {
            "description": "Root canal treatment; we confirm each request personally.",
            "needs_confirmation": True,
            "min_notice_minutes": 24 * 60,
            "daily_cap": 2,
            "color": "#f59e0b",
        },
        8,
    ),
    (
        "Teeth whitening",
        60,
        "350",
        0,
        15,
        "dentist",
        {"description": "In-chair whitening session.", "color": "#a855f7"},
        7,
    ),
    (
        "Emergency visit",
        30,
        "150",
        0,
        10,
        "dentist",
        {
            "description": "Pain or a broken tooth: call us, we fit you in the same day.",
            "online": False,
            "min_notice_minutes": 0,
            "color": "#ef4444",
        },
        5,
    ),
]


def demo_seed(*, tenant, rng) -> None:
    now = timezone.now()
    zone = practice_zone()
    today = now.astimezone(zone).date()
    users = {u.email: u for u in User.objects.all()}

    row = appointment_settings()
    row.slot_step_minutes, row.cancellation_notice_hours = GRID, 24
    row.reminders = [{"minutes": 48 * 60, "channel": "email"}, {"minutes": 120, "channel": ""}]
    row.booking_intro = (
        "Book your visit in under a minute. In pain? Call us: we keep time for emergencies."
    )
    row.save()

    chairs = {
        name: room
        for name, room in zip(
            CHAIRS,
            Room.objects.bulk_create([Room(name=n, position=i) for i, n in enumerate(CHAIRS)]),
            strict=True,
        )
    }
    staff, home_chair, weekly = [], {}, {}
    for position, (name, title, color, email, chair, week) in enumerate(TEAM):
        member = StaffMember.objects.create(
            name=name, title=title, color=color, position=position, user=users.get(email)
        )
        staff.append(member)
        home_chair[member.pk] = chairs[chair]
        weekly[member.pk] = week
    WorkingHours.objects.bulk_create(
        [
            WorkingHours(staff=member, weekday=day, start=start, end=end)
            for member in staff
            for day, intervals in weekly[member.pk].items()
            for start, end in intervals
        ]
    )
    dentists = [m for m in staff if m.title == "Dentist"]
    hygienists = [m for m in staff if m.title != "Dentist"]

    services: list[tuple[Service, int]] = []
    performs: dict[int, list[tuple[Service, int]]] = defaultdict(list)
    for position, (name, minutes, price, before, after, who, extra, weight) in enumerate(SERVICES):
        service = Service.objects.create(
            name=name,
            duration_minutes=minutes,
            price=Decimal(price),
            position=position,
            buffer_before_minutes=before,
            buffer_after_minutes=after,
            needs_room=True,
            horizon_days=90,
            **{"min_notice_minutes": 120, **extra},
        )
        service.staff.set(dentists if who == "dentist" else hygienists)
        service.rooms.set(
            [chairs[c] for c in CHAIRS[:3]] if who == "dentist" else [chairs["Chair 4"]]
        )
        services.append((service, weight))
        for member in dentists if who == "dentist" else hygienists:
            performs[member.pk].append((service, weight))

    closed, off, overrides = _calendar_changes(today, zone, staff)
    contacts = list(
        Contact.objects.filter(erased_at__isnull=True).order_by("pk").values_list("pk", flat=True)
    )
    rng.shuffle(contacts)
    team = [u for u in users.values() if u.is_active]
    plan = _Plan(rng=rng, now=now, zone=zone, contacts=contacts, team=team)
    for offset in range(-DAYS, DAYS + 1):
        day = today + dt.timedelta(days=offset)
        if day in closed:
            continue
        for member in staff:
            intervals = overrides.get((member.pk, day), weekly[member.pk].get(day.weekday(), []))
            for start, end in intervals:
                plan.fill(
                    day,
                    start,
                    end,
                    member,
                    home_chair[member.pk],
                    performs[member.pk],
                    off[member.pk],
                )
    plan.recall_history(services[0][0], dentists[0], home_chair[dentists[0].pk], today)
    Appointment.objects.bulk_create(plan.rows, batch_size=1000)

    contacts_no_shows_add(counts=Counter(a.contact_id for a in plan.rows if a.status == S.NO_SHOW))

    saved = list(
        Appointment.objects.select_related("service", "staff").order_by("starts_at")
    )  # with their ids, for reminders and the timeline
    appointment_reminders_sync_many(appointments=[a for a in saved if a.starts_at > now], now=now)
    _timeline(saved, now)
    _waitlist(rng, services, today, {a.contact_id for a in plan.rows}, contacts)
    recall_schedule_daily()


def _calendar_changes(today: dt.date, zone, staff: list[StaffMember]):
    """A holiday, a conference, a free afternoon and one short day: what a month holds."""
    closed = {}
    for year in (today.year, today.year + 1):
        for month, day, name in (
            (1, 1, "New Year's Day"),
            (7, 4, "Independence Day"),
            (12, 25, "Christmas Day"),
            (12, 24, "Christmas Eve"),
        ):
            date = dt.date(year, month, day)
            if today < date <= today + dt.timedelta(days=DAYS):
                closed[date] = name
    if not closed:
        closed[_weekday_after(today + dt.timedelta(days=17))] = "Team training day"
    Holiday.objects.bulk_create([Holiday(date=d, name=n) for d, n in closed.items()])

    okafor, hannah, weber = staff[2], staff[3], staff[1]
    first = _weekday_after(today + dt.timedelta(days=9))
    conference = (
        dt.datetime.combine(first, T(0), tzinfo=zone),
        dt.datetime.combine(first + dt.timedelta(days=3), T(0), tzinfo=zone),
    )
    afternoon_day = _weekday_after(today + dt.timedelta(days=4), weekdays=(0, 2, 4))
    afternoon = (
        dt.datetime.combine(afternoon_day, T(12, 30), tzinfo=zone),
        dt.datetime.combine(afternoon_day, T(15), tzinfo=zone),
    )
    TimeOff.objects.bulk_create(
        [
            TimeOff(
                staff=okafor,
                starts_at=conference[0],
                ends_at=conference[1],
                reason="Dental conference",
            ),
            TimeOff(
                staff=hannah,
                starts_at=afternoon[0],
                ends_at=afternoon[1],
                reason="Doctor's appointment",
            ),
        ]
    )
    off: dict[int, list] = defaultdict(list)
    off[okafor.pk].append(conference)
    off[hannah.pk].append(afternoon)

    short_day = _weekday_after(today + dt.timedelta(days=3))
    HoursOverride.objects.create(staff=weber, date=short_day, start=T(8), end=T(12))
    overrides = {(weber.pk, short_day): [(T(8), T(12))]}
    return set(closed), off, overrides


def _weekday_after(day: dt.date, weekdays=(0, 1, 2, 3, 4)) -> dt.date:
    while day.weekday() not in weekdays:
        day += dt.timedelta(days=1)
    return day


class _Plan:
    """Lays appointments end to end through each working interval, with some gaps: never two
    at once for a person, and a person always uses their own chair, so never two in a chair
    (the two hygienists share one on different days)."""

    def __init__(self, *, rng, now, zone, contacts: list[int], team: list[User]):
        self.rng, self.now, self.zone, self.team = rng, now, zone, team
        self.contacts, self.next_contact = contacts, 0
        self.rows: list[Appointment] = []

    def _contact(self) -> int:
        contact = self.contacts[self.next_contact % len(self.contacts)]
        self.next_contact += 1
        return contact

    def fill(self, day, start, end, member, chair, services, off) -> None:
        if not services:
            return
        t = dt.datetime.combine(day, start, tzinfo=self.zone)
        close = dt.datetime.combine(day, end, tzinfo=self.zone)
        days_ahead = (day - self.now.astimezone(self.zone).date()).days
        busy = 0.82 if days_ahead <= 2 else max(0.2, 0.82 - 0.6 * days_ahead / DAYS)
        free_from = t
        while True:
            service = self.rng.choices([s for s, _w in services], [w for _s, w in services])[0]
            before = dt.timedelta(minutes=service.buffer_before_minutes)
            after = dt.timedelta(minutes=service.buffer_after_minutes)
            starts = max(t, free_from + before)
            starts = _ceil_grid(starts, self.zone)
            ends = starts + dt.timedelta(minutes=service.duration_minutes)
            if ends > close:
                return
            block = (starts - before, ends + after)
            if any(low < block[1] and block[0] < high for low, high in off):
                t = ends
                continue
            if self.rng.random() < busy:
                self._add(service, member, chair, starts, ends, block)
                free_from = block[1]
                t = block[1]
            else:
                t = starts + dt.timedelta(minutes=self.rng.choice([15, 30, 45]))

    def _add(self, service, member, chair, starts, ends, block, status=None, contact=None):
        rng, now = self.rng, self.now
        contact = contact or self._contact()
        source = rng.choices([Source.STAFF, Source.ONLINE, Source.API], [70, 26, 4])[0]
        a = Appointment(
            contact_id=contact,
            service=service,
            staff=member,
            room=chair,
            starts_at=starts.astimezone(dt.UTC),
            ends_at=ends.astimezone(dt.UTC),
            block_start=block[0].astimezone(dt.UTC),
            block_end=block[1].astimezone(dt.UTC),
            source=source,
            price=service.price,
            created_by=rng.choice(self.team) if source == Source.STAFF and self.team else None,
        )
        r = rng.random()
        if status is not None:
            a.status = status
        elif ends <= now:
            a.status = S.NO_SHOW if r < 0.06 else S.CANCELLED if r < 0.13 else S.COMPLETED
        elif starts <= now:
            a.status = S.CHECKED_IN
        else:
            a.status = S.CANCELLED if r < 0.04 else S.CONFIRMED if r < 0.3 else S.BOOKED
            if service.needs_confirmation and source == Source.ONLINE and a.status == S.BOOKED:
                a.awaiting_approval = True
        if a.status in (S.CONFIRMED, S.CHECKED_IN, S.COMPLETED):
            a.confirmed_at = starts - dt.timedelta(days=2)
        if a.status in (S.CHECKED_IN, S.COMPLETED):
            a.checked_in_at = starts - dt.timedelta(minutes=rng.randint(2, 12))
        if a.status == S.COMPLETED:
            a.completed_at = ends
        if a.status == S.CANCELLED:
            a.cancelled_at = min(now, starts - dt.timedelta(hours=rng.randint(3, 72)))
            a.cancel_reason = rng.choice(["Feeling unwell", "Work came up", "Moved away", ""])
        self.rows.append(a)

    def recall_history(self, checkup: Service, dentist, chair, today: dt.date) -> None:
        """A dozen check-ups from 7 to 9 months ago: their recall is due (the daily run
        sends it), for patients without anything booked."""
        seen = {a.contact_id for a in self.rows}
        patients = [c for c in reversed(self.contacts) if c not in seen][:12]
        for n, contact in enumerate(patients):
            day = _weekday_after(today - dt.timedelta(days=210 + 5 * n))
            starts = dt.datetime.combine(day, T(9), tzinfo=self.zone)
            ends = starts + dt.timedelta(minutes=checkup.duration_minutes)
            block = (starts, ends + dt.timedelta(minutes=checkup.buffer_after_minutes))
            self._add(
                checkup, dentist, chair, starts, ends, block, status=S.COMPLETED, contact=contact
            )


def _ceil_grid(value: dt.datetime, zone) -> dt.datetime:
    local = value.astimezone(zone)
    minutes = local.hour * 60 + local.minute + (1 if local.second or local.microsecond else 0)
    grid = -(-minutes // GRID) * GRID
    base = dt.datetime.combine(local.date(), T(0), tzinfo=zone)
    return base + dt.timedelta(minutes=grid)


def _timeline(appointments: list[Appointment], now: dt.datetime) -> None:
    """What the booking services would have recorded: booked, completed, no-show, cancelled."""
    zone = practice_zone()
    events = []
    for a in appointments:
        props = {
            "appointment_id": a.pk,
            "service": a.service.name,
            "service_id": a.service_id,
            "staff": a.staff.name,
            "staff_id": a.staff_id,
            "starts_at": a.starts_at.isoformat(),
            "local_time": a.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        }
        booked_at = min(now, a.starts_at - dt.timedelta(days=7))
        events.append(_item(a, "appointment.booked", booked_at, props, "b"))
        final = {
            S.COMPLETED: "appointment.completed",
            S.NO_SHOW: "appointment.no_show",
            S.CANCELLED: "appointment.cancelled",
        }.get(a.status)
        if final:
            when = a.cancelled_at if a.status == S.CANCELLED else a.ends_at
            events.append(_item(a, final, min(now, when), props, "f"))
    for start in range(0, len(events), 1000):
        events_ingest(events=events[start : start + 1000], source="appointments")


def _item(a: Appointment, type_: str, when: dt.datetime, props: dict, tag: str) -> dict:
    return {
        "contact_id": a.contact_id,
        "type": type_,
        "occurred_at": when.isoformat(),
        "properties": props,
        "client_event_id": f"demo-appt-{a.pk}-{tag}",
    }


def _waitlist(rng, services, today: dt.date, booked: set[int], contacts: list[int]) -> None:
    """A few patients wait for a sooner time."""
    by_name = {s.name: s for s, _w in services}
    free = [c for c in contacts if c not in booked]
    wishes = [
        ("Root canal", 2, 10),
        ("Teeth whitening", 1, 14),
        ("Check-up", 0, 5),
        ("Professional cleaning", 3, 21),
    ]
    for (name, start, length), contact_id in zip(
        wishes, rng.sample(free, len(wishes)), strict=True
    ):
        waitlist_join(
            contact=Contact.objects.get(pk=contact_id),
            service=by_name[name],
            date_from=today + dt.timedelta(days=start),
            date_to=today + dt.timedelta(days=start + length),
        )
