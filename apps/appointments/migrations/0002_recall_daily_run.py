"""Businesses that existed before appointments get their daily recall run (new ones get it from
the provisioning hook in services/recall.py; registering twice is harmless: same row).

Written against the historical DueWork and plain SQL for the public tables, so it keeps
working whatever those models become."""

import datetime as dt
import zoneinfo

from django.db import migrations
from django_tenants.utils import get_public_schema_name

RUN_AT = dt.time(10, 0)


def schedule_recall(apps, schema_editor):
    connection = schema_editor.connection
    public = get_public_schema_name()
    schema = getattr(connection, "schema_name", public)
    if schema == public:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT id, time_zone FROM "{public}".tenants_tenant WHERE schema_name = %s', [schema]
        )
        row = cursor.fetchone()
    if row is None:
        return
    tenant_id, zone_name = row
    try:
        zone = zoneinfo.ZoneInfo(zone_name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    local = dt.datetime.now(dt.UTC).astimezone(zone)
    day = local.date() if local.time() < RUN_AT else local.date() + dt.timedelta(days=1)
    due_at = dt.datetime.combine(day, RUN_AT, tzinfo=zone)
    DueWork = apps.get_model("scheduling", "DueWork")
    if DueWork.objects.filter(kind="appointments.recall", status="pending").exists():
        return
    DueWork.objects.update_or_create(
        kind="appointments.recall",
        ref=day.isoformat(),
        defaults={"due_at": due_at, "status": "pending", "payload": {}, "attempts": 0},
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{public}".tenants_tenantwakeup (tenant_id, next_due_at) '
            f"VALUES (%s, %s) ON CONFLICT (tenant_id) DO UPDATE SET next_due_at = "
            f"LEAST(tenants_tenantwakeup.next_due_at, EXCLUDED.next_due_at)",
            [tenant_id, due_at],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0001_initial"),
        ("scheduling", "0001_initial"),
    ]

    operations = [migrations.RunPython(schedule_recall, migrations.RunPython.noop)]
