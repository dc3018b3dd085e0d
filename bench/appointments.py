"""Appointments at practice scale: ten staff members with realistic hours (two intervals a day,
a half day off, some Saturdays) and 2,000 bookings over the next 30 days.

1. `availability_for_service` for 30 days x anyone (all ten staff), in process: median and p95
   of 30 runs (target: under 50 ms median); the same for one staff member, and through
   GET /api/v1/availability/ (the whole API stack: tenant, key, throttle, JSON).
2. Bookings through the API (the project's WSGI application, as gunicorn serves it, with the
   API's middleware stack): one at a time (a 201, and a 409 for a time all ten have taken),
   then under contention: threads, each with its own database connection, post bookings for
   "anyone" at the same start times in shuffled orders, so every time is fought over by every
   thread. The exclusion constraints decide; the figures are bookings (201) per second, every
   answer per second, and errors (anything but a 201 or a 409 with the next free times:
   target 0). The raced bookings are checked afterwards: as many rows as 201s, none
   overlapping.

The business and its staff are kept between runs; the bookings are written afresh each run
(they are relative to today). Bench data is written in bulk straight to the tables, not
through the services; the API bookings of part 2 go through the real write path and are
removed afterwards. Confirmation messages are off for them (`notify: false`): sending is
measured in section 5.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import random
import statistics
import sys
import threading
import time
import warnings
import zoneinfo
from collections import Counter

from bench.common import Section, percentile, queries_counted, verdict

SLUG = "bench-dental"
HOST = f"{SLUG}.localhost"
ZONE = zoneinfo.ZoneInfo("Europe/Berlin")
STAFF = 10
BOOKINGS = 2_000
DAYS = 30
RUNS = 30
TARGET_MS = 50
THREADS = 8
CONTENDED_DAYS = 2  # days after the 30 booked ones, empty, for the race
PATIENTS = 5_000
SMOKE = {
    "BOOKINGS": 60,
    "DAYS": 5,
    "RUNS": 3,
    "THREADS": 2,
    "CONTENDED_DAYS": 1,
    "PATIENTS": 100,
}
STAFF_NAMES = [
    ("Dr. Anna Weber", "Dentist"),
    ("Dr. Jonas Klein", "Dentist"),
    ("Dr. Mira Schulz", "Dentist"),
    ("Dr. Paul Becker", "Dentist"),
    ("Dr. Lea Hoffmann", "Orthodontist"),
    ("Sophie Wagner", "Hygienist"),
    ("Tim Fischer", "Hygienist"),
    ("Nina Braun", "Hygienist"),
    ("Emma Richter", "Hygienist"),
    ("Lukas Wolf", "Hygienist"),
]
# (name, minutes, buffer after, share of the existing bookings)
SERVICES = [("Check-up", 30, 10, 5), ("Cleaning", 45, 15, 3), ("Filling", 60, 10, 2)]


# --- the practice ------------------------------------------------------------------------------
def _tenant():
    from django.db import connection

    from apps.tenants.models import Tenant
    from apps.tenants.services import tenant_create

    connection.set_schema_to_public()
    tenant = Tenant.objects.filter(slug=SLUG).first()
    if tenant is None:
        tenant = tenant_create(
            name="Bench Dental",
            slug=SLUG,
            owner_name="Bench Owner",
            owner_email="owner@bench-dental.example",
            owner_password="bench-dental-pass-2026",
            time_zone="Europe/Berlin",
            country="DE",
        )
    return tenant


def _hours(index: int) -> list[tuple[int, dt.time, dt.time]]:
    """Monday to Friday 07:30-12:30 and 13:30-18:00; every fourth person has Wednesday
    afternoon off; every third works Saturday morning."""
    rows = []
    for weekday in range(5):
        rows.append((weekday, dt.time(7, 30), dt.time(12, 30)))
        if not (weekday == 2 and index % 4 == 1):
            rows.append((weekday, dt.time(13, 30), dt.time(18)))
    if index % 3 == 0:
        rows.append((5, dt.time(9), dt.time(13)))
    return rows


def _practice() -> dict:
    """Staff, hours and services (made once), and 5,000 contacts to book."""
    from apps.appointments.models import (
        Appointment,
        AppointmentSettings,
        Service,
        StaffMember,
        WorkingHours,
    )
    from apps.contacts.models import Contact

    AppointmentSettings.objects.update_or_create(pk=1, defaults={"slot_step_minutes": 15})
    if StaffMember.objects.count() != STAFF or Service.objects.count() != len(SERVICES):
        Appointment.objects.all().delete()
        Service.objects.all().delete()
        StaffMember.objects.all().delete()
        staff = [
            StaffMember.objects.create(name=n, title=t, position=i)
            for i, (n, t) in enumerate(STAFF_NAMES)
        ]
        for position, (name, minutes, after, _share) in enumerate(SERVICES):
            service = Service.objects.create(
                name=name,
                duration_minutes=minutes,
                buffer_after_minutes=after,
                price=80,
                min_notice_minutes=120,
                horizon_days=60,
                position=position,
            )
            service.staff.set(staff)
    staff = list(StaffMember.objects.order_by("position"))
    WorkingHours.objects.all().delete()  # rewritten each run: cheap, and never stale
    WorkingHours.objects.bulk_create(
        [
            WorkingHours(staff=member, weekday=w, start=s, end=e)
            for i, member in enumerate(staff)
            for w, s, e in _hours(i)
        ]
    )
    if Contact.objects.filter(source="bench").count() < PATIENTS:
        Contact.objects.filter(source="bench").delete()
        Contact.objects.bulk_create(
            [
                Contact(
                    first_name=f"Patient{i}",
                    last_name="Bench",
                    email=f"p{i}@bench.example",
                    phone=f"+4915100{i:06d}",
                    phone_national=f"015100{i:06d}",
                    source="bench",
                )
                for i in range(PATIENTS)
            ],
            batch_size=1000,
        )
    return {
        "staff": staff,
        "services": list(Service.objects.order_by("position")),
        "contacts": list(Contact.objects.filter(source="bench").values_list("pk", flat=True)),
    }


def _fill(practice: dict, today: dt.date, rng: random.Random, gaps: list[int]) -> list[tuple]:
    """Bookings one after the other through each working interval, with random gaps of
    `gaps` quarter hours between them."""
    weights = [share for *_rest, share in SERVICES]
    candidates = []
    for offset in range(DAYS):
        day = today + dt.timedelta(days=offset)
        for index, member in enumerate(practice["staff"]):
            for weekday, start, end in _hours(index):
                if weekday != day.weekday():
                    continue
                t = dt.datetime.combine(day, start, tzinfo=ZONE)
                close = dt.datetime.combine(day, end, tzinfo=ZONE)
                while True:
                    t += dt.timedelta(minutes=15 * rng.choice(gaps))
                    service = rng.choices(practice["services"], weights)[0]
                    ends = t + dt.timedelta(minutes=service.duration_minutes)
                    if ends > close:
                        break
                    candidates.append((member, service, t, ends))
                    block_end = ends + dt.timedelta(minutes=service.buffer_after_minutes)
                    t += dt.timedelta(minutes=-(-(block_end - t).seconds // 900) * 15)
    return candidates


def _book_existing(practice: dict, today: dt.date) -> int:
    """2,000 bookings over the next 30 days: each working interval filled from its start with
    random gaps, then 2,000 of those picked at random (written in bulk)."""
    from django.db import connection

    from apps.appointments.models import Appointment
    from apps.scheduling.models import DueWork

    Appointment.objects.all().delete()
    DueWork.objects.filter(kind__startswith="appointments.").delete()
    for gaps in ([0] * 5 + [1], [0]):  # a fuller calendar only if 2,000 do not fit otherwise
        rng = random.Random(2026)
        candidates = _fill(practice, today, rng, gaps)
        if len(candidates) >= BOOKINGS:
            break
    else:
        raise RuntimeError(f"only {len(candidates)} bookings fit in {DAYS} days")
    chosen = rng.sample(candidates, BOOKINGS)
    contacts = practice["contacts"]
    Appointment.objects.bulk_create(
        [
            Appointment(
                contact_id=contacts[n % len(contacts)],
                service=service,
                staff=member,
                starts_at=starts,
                ends_at=ends,
                block_start=starts,
                block_end=ends + dt.timedelta(minutes=service.buffer_after_minutes),
                status=rng.choice(["booked", "booked", "confirmed"]),
                price=service.price,
            )
            for n, (member, service, starts, ends) in enumerate(chosen)
        ],
        batch_size=500,
    )
    with connection.cursor() as cursor:  # what autovacuum does after a bulk rewrite
        cursor.execute("VACUUM ANALYZE appointments_appointment")
    return len(candidates)


# --- 1. availability ---------------------------------------------------------------------------
def _timed(fn) -> tuple[float, float, object]:
    for _ in range(3):
        result = fn()  # warm-up
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), percentile(times, 95), result


# --- 2. bookings through the WSGI application --------------------------------------------------
def _call(app, method: str, path: str, key: str, body: bytes = b"", query: str = ""):
    """One request through the WSGI application, as a server would make it."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": query,
        "SERVER_NAME": HOST,
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": HOST,
        "HTTP_AUTHORIZATION": f"Bearer {key}",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    status: list[str] = []
    chunks = app(environ, lambda s, headers, exc_info=None: status.append(s))
    try:
        payload = b"".join(chunks)
    finally:
        getattr(chunks, "close", lambda: None)()
    return int(status[0][:3]), payload


def _workday_times(today: dt.date, first_offset: int, days: int) -> list[dt.datetime]:
    """Every 15 minutes of the working day (lunch left out) on `days` weekdays from
    `first_offset` days ahead: days without existing bookings."""
    times: list[dt.datetime] = []
    day = today + dt.timedelta(days=first_offset)
    while len({t.date() for t in times}) < days:
        if day.weekday() < 5:
            for minute in range(8 * 60, 17 * 60 + 30, 15):
                if not 12 * 60 <= minute < 13 * 60 + 30:
                    clock = dt.time(minute // 60, minute % 60)
                    times.append(dt.datetime.combine(day, clock, tzinfo=ZONE))
        day += dt.timedelta(days=1)
    return times


def _booking(service_id: int, contact_id: int, starts_at: dt.datetime) -> bytes:
    return json.dumps(
        {
            "service": service_id,
            "contact": contact_id,
            "starts_at": starts_at.astimezone(dt.UTC).isoformat(),
            "notify": False,
        }
    ).encode()


def _sequential(app, key: str, bodies: list[bytes], expect: int) -> tuple[float, float]:
    """One request at a time: median and p95 in ms; every answer must be `expect`."""
    times = []
    for body in bodies:
        started = time.perf_counter()
        code, payload = _call(app, "POST", "/api/v1/appointments/", key, body)
        times.append((time.perf_counter() - started) * 1000)
        if code != expect:
            raise RuntimeError(f"expected {expect}, got {code}: {payload[:300]!r}")
    return statistics.median(times), percentile(times, 95)


def _race(app, key: str, service_id: int, contacts: list[int], times: list[dt.datetime]):
    """THREADS threads post a booking for each time, each thread in its own shuffled order."""
    from django.db import connection

    outcomes: Counter = Counter()
    problems: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def worker(n: int) -> None:
        rng = random.Random(n)
        order = times[:]
        rng.shuffle(order)
        mine: Counter = Counter()
        try:
            barrier.wait()
            for i, starts_at in enumerate(order):
                body = _booking(
                    service_id, contacts[(n * len(order) + i) % len(contacts)], starts_at
                )
                try:
                    code, payload = _call(app, "POST", "/api/v1/appointments/", key, body)
                except Exception as exc:  # noqa: BLE001 - counted as an error, shown below
                    code, payload = 0, repr(exc).encode()
                mine[code] += 1
                if code == 409 and b"next_slots" not in payload:
                    mine["409 without next_slots"] += 1
                if code not in (201, 409):
                    with lock:
                        problems.append(f"{code}: {payload[:200]!r}")
        finally:
            connection.close()
            with lock:
                outcomes.update(mine)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes, problems, time.perf_counter() - started


def run() -> Section:
    from django.conf import settings
    from django.db import connection
    from django_tenants.utils import tenant_context

    from cxsuite.lib.wsgi import split_application

    tenant = _tenant()
    section = Section(
        title=f"6. Appointments: {STAFF} staff, {BOOKINGS:,} bookings over the next {DAYS} days",
        header=["measure", "median", "p95", "target", ""],
    )
    with tenant_context(tenant):
        from apps.accounts.services import api_key_create
        from apps.appointments.selectors import availability_for_service

        practice = _practice()
        today = dt.datetime.now(ZONE).date()
        fitted = _book_existing(practice, today)
        checkup = practice["services"][0]
        last = today + dt.timedelta(days=DAYS - 1)

        def anyone():
            return availability_for_service(service=checkup, date_from=today, date_to=last)

        median_ms, p95_ms, slots = _timed(anyone)
        with queries_counted() as counted:
            anyone()
        query_count = counted.queries
        section.rows.append(
            [
                f"availability, {DAYS} days x anyone ({STAFF} staff) (ms)",
                f"{median_ms:.1f}",
                f"{p95_ms:.1f}",
                f"< {TARGET_MS} ms",
                verdict(median_ms < TARGET_MS),
            ]
        )
        one = practice["staff"][0]
        median_one, p95_one, _slots = _timed(
            lambda: availability_for_service(
                service=checkup, date_from=today, date_to=last, staff=one
            )
        )
        section.rows.append(
            [
                f"availability, {DAYS} days x one staff member (ms)",
                f"{median_one:.1f}",
                f"{p95_one:.1f}",
                "",
                "",
            ]
        )
        key, raw = api_key_create(name="bench", scopes=["read", "write"], created_by=None)
    connection.set_schema_to_public()

    with warnings.catch_warnings():  # the pages' half warns that collectstatic never ran
        warnings.simplefilter("ignore")
        app = split_application()
    raced = _workday_times(today, DAYS, CONTENDED_DAYS)
    alone = _workday_times(today, DAYS + 7, 1)
    contacts = practice["contacts"]
    limit, settings.API_RATE_LIMIT = settings.API_RATE_LIMIT, 10**9  # never a 429 here
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)  # every 409 would print a warning line
    try:
        query = f"service={checkup.pk}&date_from={today}&date_to={last}"

        def over_api():
            code, payload = _call(app, "GET", "/api/v1/availability/", raw, query=query)
            if code != 200:
                raise RuntimeError(f"GET /api/v1/availability/: {code} {payload[:200]!r}")
            return payload

        median_api, p95_api, body = _timed(over_api)
        section.rows.append(
            [
                f"GET /api/v1/availability/, {DAYS} days x anyone (ms)",
                f"{median_api:.1f}",
                f"{p95_api:.1f}",
                "",
                "",
            ]
        )
        bodies = [_booking(checkup.pk, contacts[n], t) for n, t in enumerate(alone[:RUNS])]
        median_201, p95_201 = _sequential(app, raw, bodies, 201)
        section.rows.append(
            [
                "POST /api/v1/appointments/, one at a time: 201 (ms)",
                f"{median_201:.1f}",
                f"{p95_201:.1f}",
                "",
                "",
            ]
        )
        outcomes, problems, seconds = _race(app, raw, checkup.pk, contacts, raced)
        with tenant_context(tenant):
            free = {
                s.starts_at
                for s in availability_for_service(
                    service=checkup, date_from=raced[0].date(), date_to=raced[-1].date()
                )
            }
        full = next((t for t in raced if t not in free), None)
        if full is not None:  # a time all ten took in the race
            bodies = [_booking(checkup.pk, contacts[n], full) for n in range(RUNS)]
            median_409, p95_409 = _sequential(app, raw, bodies, 409)
            section.rows.append(
                [
                    "  the same time again: 409 with next_slots (ms)",
                    f"{median_409:.1f}",
                    f"{p95_409:.1f}",
                    "",
                    "",
                ]
            )
    finally:
        settings.API_RATE_LIMIT = limit
        request_log.setLevel(level)
        connection.set_schema_to_public()

    with tenant_context(tenant):
        stored, overlapping = _check_and_remove(raced, alone, key)

    requests = sum(v for k, v in outcomes.items() if isinstance(k, int))
    booked, taken = outcomes[201], outcomes[409]
    errors = requests - booked - taken + outcomes["409 without next_slots"]
    section.rows.append(
        [
            f"bookings through the API, {THREADS} threads racing (per s)",
            f"{booked / seconds:.1f}",
            "",
            "",
            "",
        ]
    )
    section.rows.append(
        ["  every answer, 201 or 409 (per s)", f"{requests / seconds:.1f}", "", "", ""]
    )
    section.rows.append(
        [
            "  errors (neither 201 nor 409 with next_slots)",
            f"{errors}",
            "",
            "0",
            verdict(errors == 0 and stored == booked and not overlapping),
        ]
    )
    section.notes.append(
        f"  availability: {len(slots):,} free start times"
        f" ({len(json.loads(body)['slots']):,} through the API) for a"
        f" {checkup.duration_minutes}-minute service at a 15-minute step, {query_count} queries;"
        f"\n  {BOOKINGS:,} bookings picked from {fitted:,} that fit, booked or confirmed, three"
        f" services of 30-60 minutes with 10-15 minutes after\n"
        f"  race: {len(raced)} start times over {CONTENDED_DAYS} empty days, each posted once by"
        f" each of {THREADS} threads (own connection each) in its own order, through the WSGI"
        f" application:\n  {requests:,} requests in {seconds:.1f} s, {booked:,} booked (201),"
        f" {taken:,} just taken (409 with next_slots), {errors} errors;"
        f" rows stored: {stored:,}, overlapping: {overlapping}\n"
        f"  CPU load while measuring (1-minute average): {os.getloadavg()[0]:.1f}"
        f" on {os.cpu_count()} cores"
    )
    for problem in problems[:5]:
        section.notes.append(f"  error: {problem}")
    return section


def _check_and_remove(raced: list[dt.datetime], alone: list[dt.datetime], key) -> tuple[int, int]:
    """Count the raced bookings and any overlap among them, then remove every API booking,
    its events and reminders, and the key."""
    from apps.accounts.models import ApiKey
    from apps.appointments.models import Appointment
    from apps.contacts.models import TimelineEvent
    from apps.scheduling.models import DueWork

    rows = Appointment.objects.filter(starts_at__gte=raced[0], starts_at__lte=raced[-1])
    stored = rows.count()
    blocks = sorted(
        rows.exclude(status="cancelled").values_list("staff_id", "block_start", "block_end")
    )
    overlapping = sum(
        1 for a, b in zip(blocks, blocks[1:], strict=False) if a[0] == b[0] and b[1] < a[2]
    )
    TimelineEvent.objects.filter(type__startswith="appointment.", source="appointments").delete()
    DueWork.objects.filter(kind__startswith="appointments.").delete()
    Appointment.objects.filter(source="api").delete()
    ApiKey.objects.filter(pk=key.pk).delete()
    return stored, overlapping
