"""Tenant provisioning time: how long a new business waits after signing up.

`apps.tenants.services.tenant_create` is the one path every sign-up takes: it creates the
schema, runs every tenant migration in it, registers the domain and creates the owner. The
bench provisions a few businesses that way, reports the median and the worst time (target:
under 1 s), and then deletes them again, dropping their schemas.
"""

from __future__ import annotations

import time

from bench.common import Section, median, verdict

COUNT = 5
SLUG_PREFIX = "bench-prov-"
TARGET_SECONDS = 1.0


def _cleanup() -> None:
    """Delete the bench's businesses, with their schemas (also those of an aborted run)."""
    from django.db import connection

    from apps.tenants.models import Tenant

    connection.set_schema_to_public()
    for tenant in Tenant.objects.filter(slug__startswith=SLUG_PREFIX):
        tenant.delete(force_drop=True)


def run() -> Section:
    from django.db import connection

    from apps.tenants.services import tenant_create

    _cleanup()
    create_times: list[float] = []
    delete_times: list[float] = []
    tenants = []
    try:
        for number in range(1, COUNT + 1):
            started = time.perf_counter()
            tenant = tenant_create(
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

    worst = max(create_times)
    return Section(
        title=f"1. Tenant provisioning ({COUNT} businesses through tenant_create)",
        header=["step", "median s", "max s", f"target < {TARGET_SECONDS:g} s"],
        rows=[
            [
                "create (schema + migrations + domain + owner)",
                f"{median(create_times):.3f}",
                f"{worst:.3f}",
                verdict(worst < TARGET_SECONDS),
            ],
            [
                "delete (drop schema + rows)",
                f"{median(delete_times):.3f}",
                f"{max(delete_times):.3f}",
                "",
            ],
        ],
        notes=["  each create: " + ", ".join(f"{value:.3f}" for value in create_times) + " s"],
    )
