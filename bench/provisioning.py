"""Tenant provisioning time: how long a new business waits after signing up.

`apps.tenants.services.tenant_create` is the one path every sign-up takes: it creates the
schema from the recorded migration SQL, registers the domain and creates the owner. The
bench first drops the recording, so the first sign-up pays for making it (as the first one
after a deploy that changed a migration does), then provisions a few businesses, reports the
median and the worst time (target: under 1 s), and deletes them again, dropping their schemas.
"""

from __future__ import annotations

import time

from bench.common import Section, median, verdict

COUNT = 6
SLUG_PREFIX = "bench-prov-"
TARGET_SECONDS = 1.0
SMOKE = {"COUNT": 2}


def _cleanup() -> None:
    """Delete the bench's businesses, with their schemas (also those of an aborted run)."""
    from django.db import connection

    from apps.tenants.models import Tenant

    connection.set_schema_to_public()
    for tenant in Tenant.objects.filter(slug__startswith=SLUG_PREFIX):
        tenant.delete(force_drop=True)


def run() -> Section:
    from django.db import connection

    from apps.tenants.models import SchemaTemplate
    from apps.tenants.services import tenant_create

    _cleanup()
    SchemaTemplate.objects.all().delete()
    create_times: list[float] = []
    delete_times: list[float] = []
    tenants = []
    try:
        for number in range(1, COUNT + 1):
            started = time.perf_counter()
            tenant = tenant_create(  # the first one also records the migrations' SQL
                name=f"Bench Provisioning {number}",
                slug=f"{SLUG_PREFIX}{number}",
                owner_name="Bench Owner",
                owner_email=f"owner{number}@bench.example",
                owner_password="bench-owner-pass-2026",
            )
            create_times.append(time.perf_counter() - started)
            tenants.append(tenant)
        connection.set_schema_to_public()
        for tenant in tenants:
            started = time.perf_counter()
            tenant.delete(force_drop=True)
            delete_times.append(time.perf_counter() - started)
        tenants.clear()
    finally:
        _cleanup()

    first, create_times = create_times[0], create_times[1:]
    recording = SchemaTemplate.objects.get()
    statement_count = recording.statements.count(";\n") + 1
    worst = max(create_times)
    return Section(
        title=f"1. Tenant provisioning ({COUNT} businesses through tenant_create)",
        header=["step", "median s", "max s", f"target < {TARGET_SECONDS:g} s"],
        rows=[
            [
                "create (schema replayed + domain + owner)",
                f"{median(create_times):.3f}",
                f"{worst:.3f}",
                verdict(worst < TARGET_SECONDS),
            ],
            [
                "first sign-up after a migration change (records)",
                f"{first:.3f}",
                f"{first:.3f}",
                "",
            ],
            [
                "delete (drop schema + rows)",
                f"{median(delete_times):.3f}",
                f"{max(delete_times):.3f}",
                "",
            ],
        ],
        notes=[
            "  each create after the first: "
            + ", ".join(f"{value:.3f}" for value in create_times)
            + " s",
            f"  recording: {len(recording.migrations)} migrations, "
            f"{statement_count} statements, "
            f"{recording.record_seconds:.2f} s of the first sign-up",
        ],
    )
