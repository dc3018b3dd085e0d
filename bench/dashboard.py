"""Dashboard: Home's server time and each registered analytics widget's, on a business with
100,000 contacts, 1,000,000 timeline events and a year of appointments (targets: each widget
under 150 ms median warm, under 1 s cold).

The data is written in set-based SQL (`generate_series`, through `insert_select`, so every
column of the real tables is named). Times are the whole request through Django's test
client (middleware, session, user, the cache, rendering): Home and each widget's partial, for
the default period (30 days) and the longest (12 months). "Cold" clears the cache before each
request (the bench's own cache: the whole cache is cleared), "warm" repeats the request with
the figures cached. A widget registered by another module is measured the same way; its own
tables hold what this bench writes for it (nothing beyond contacts, events and appointments).
"""

from __future__ import annotations

import time

from bench.common import (
    Section,
    insert_select,
    median,
    queries_counted,
    test_environment_ensure,
    verdict,
)

SLUG = "bench-dashboard"
HOST = f"{SLUG}.localhost"
CONTACTS = 100_000
EVENTS = 1_000_000
DAYS = 365  # of appointments, 8 staff, a 25-minute visit every half hour from 08:00 to 18:00
STAFF = 8
RUNS = 15  # warm requests per widget and period
COLD_RUNS = 3
WARM_TARGET_MS = 150
COLD_TARGET_MS = 1000
SMOKE = {"CONTACTS": 200, "EVENTS": 2_000, "DAYS": 3, "RUNS": 2, "COLD_RUNS": 1}
EVENT_TYPES = (
    "'page.viewed'",
    "'page.viewed'",
    "'form.submitted'",
    "'appointment.booked'",
    "'message.delivered'",
)


def _tenant():
    from django.db import connection

    from apps.tenants.models import Tenant
    from apps.tenants.services import tenant_create

    connection.set_schema_to_public()
    tenant = Tenant.objects.filter(slug=SLUG).first()
    if tenant is None:
        tenant = tenant_create(
            name="Bench Dashboard",
            slug=SLUG,
            owner_name="Bench Owner",
            owner_email="owner@bench-dashboard.example",
            owner_password="bench-dashboard-pass-2026",
            time_zone="Europe/Berlin",
            country="DE",
        )
    return tenant


def _fill(schema: str) -> dict[str, int]:
    """Contacts, events over the last year, and a year of appointments (made once)."""
    from django.db import connection

    from apps.appointments.models import Appointment, Service, StaffMember
    from apps.contacts.models import Contact, TimelineEvent

    with connection.cursor() as cursor:
        if Contact.objects.count() < CONTACTS:
            cursor.execute(
                insert_select(
                    Contact,
                    schema,
                    {
                        "first_name": "'Pat' || i",
                        "last_name": "'Bench'",
                        "email": "'db' || i || '@bench.example'",
                        "language": "'en'",
                    },
                )
                + f"FROM generate_series(1, {CONTACTS}) AS i"
            )
        cursor.execute(f'SELECT min(id) FROM "{schema}".contacts_contact')
        first = cursor.fetchone()[0]
        if TimelineEvent.objects.count() < EVENTS:
            types = ", ".join(EVENT_TYPES)
            cursor.execute(
                insert_select(
                    TimelineEvent,
                    schema,
                    {
                        "contact_id": f"{first} + (i::bigint * 7919) % {CONTACTS}",
                        "type": f"(ARRAY[{types}])[1 + i % {len(EVENT_TYPES)}]",
                        "occurred_at": "now() - (i % 365) * interval '1 day'"
                        " - (i % 1440) * interval '1 minute'",
                        "properties": "'{}'::jsonb",
                        "source": "'bench'",
                    },
                )
                + f"FROM generate_series(1, {EVENTS}) AS i"
            )
        if not Appointment.objects.exists():
            service = Service.objects.create(name="Check-up", duration_minutes=25, price=80)
            staff = [StaffMember.objects.create(name=f"Dr. Bench {n}") for n in range(STAFF)]
            service.staff.set(staff)
            starts = (
                "date_trunc('day', now() AT TIME ZONE 'Europe/Berlin') AT TIME ZONE "
                "'Europe/Berlin' - d * interval '1 day' + interval '8 hours'"
                " + slot * interval '30 minutes'"
            )
            status = (
                "(ARRAY['completed','completed','completed','completed','completed',"
                "'completed','no_show','cancelled'])[1 + (d + slot + s) % 8]"
            )
            cursor.execute(
                insert_select(
                    Appointment,
                    schema,
                    {
                        "contact_id": f"{first} + (d * 160 + s * 20 + slot) % {CONTACTS}",
                        "service_id": str(service.pk),
                        "staff_id": f"{staff[0].pk} + s",
                        "starts_at": starts,
                        "ends_at": f"{starts} + interval '25 minutes'",
                        "block_start": starts,
                        "block_end": f"{starts} + interval '25 minutes'",
                        "status": status,
                        "price": "80",
                    },
                )
                + f"FROM generate_series(0, {DAYS - 1}) AS d, generate_series(0, {STAFF - 1})"
                " AS s, generate_series(0, 19) AS slot"
            )
        cursor.execute("ANALYZE")
    return {
        "contacts": Contact.objects.count(),
        "events": TimelineEvent.objects.count(),
        "appointments": Appointment.objects.count(),
    }


def _timed(client, path: str, **headers) -> tuple[float, int]:
    with queries_counted() as counted:
        started = time.perf_counter()
        answer = client.get(path, **headers)
        elapsed = (time.perf_counter() - started) * 1000
    assert answer.status_code == 200, (path, answer.status_code)
    return elapsed, counted.queries


def run() -> Section:
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import Client
    from django_tenants.utils import tenant_context

    from apps.accounts.registries import analytics_widgets

    tenant = _tenant()
    test_environment_ensure()
    client = Client(HTTP_HOST=HOST)
    with tenant_context(tenant):
        sizes = _fill(tenant.schema_name)
        owner = get_user_model().objects.filter(role="owner").first()
        client.force_login(owner)
    section = Section(
        title=(
            f"12. Dashboard: Home and each widget over {sizes['contacts']:,} contacts, "
            f"{sizes['events']:,} events, {sizes['appointments']:,} appointments"
        ),
        header=["request", "cold median", "warm median", "warm best", "queries c/w", "target", ""],
    )
    htmx = {"HTTP_HX_REQUEST": "true"}
    _timed(client, "/")  # the first request warms the host cache and the connection
    home = [_timed(client, "/")[0] for _n in range(RUNS)]
    section.rows.append(["Home (ms)", "", f"{median(home):.0f}", f"{min(home):.0f}", "", "", ""])
    for widget in sorted(analytics_widgets.values(), key=lambda w: w.order):
        for period in ("30d", "12m"):
            path = f"/analytics/widgets/{widget.id}/?period={period}"
            cold, cold_queries = [], 0
            for _n in range(COLD_RUNS):
                cache.clear()
                elapsed, cold_queries = _timed(client, path, **htmx)
                cold.append(elapsed)
            warm, warm_queries = [], 0
            for _n in range(RUNS):
                elapsed, warm_queries = _timed(client, path, **htmx)
                warm.append(elapsed)
            ok = median(warm) < WARM_TARGET_MS and median(cold) < COLD_TARGET_MS
            section.rows.append(
                [
                    f"{widget.id} {period} (ms)",
                    f"{median(cold):.0f}",
                    f"{median(warm):.0f}",
                    f"{min(warm):.0f}",
                    f"{cold_queries}/{warm_queries}",
                    f"< {COLD_TARGET_MS} / < {WARM_TARGET_MS}",
                    verdict(ok),
                ]
            )
    section.notes.append(
        "  Whole requests through the test client; cold clears the cache before each one. "
        "Queries count every statement (search_path, session and user included)."
    )
    return section
