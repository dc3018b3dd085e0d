"""Reads the nightly notices need (the pages, the card and the API read through
`member_page`)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Min, Sum
from django.utils import timezone

from ..models import PointLot


def expiry_reminders_due(*, now: dt.datetime | None = None) -> list[tuple[int, int, dt.datetime]]:
    """(member id, points, earliest expiry) for members with lots expiring within the
    program's reminder days that were not reminded yet: what the reminder message sends
    (mark them with `PointLot.reminded_at` in the same transaction)."""
    from ..services.common import program_get

    now = now or timezone.now()
    program = program_get()
    horizon = now + dt.timedelta(days=program.expiry_reminder_days)
    rows = (
        PointLot.objects.filter(
            remaining__gt=0, reminded_at__isnull=True, expires_at__gt=now, expires_at__lte=horizon
        )
        .values("member_id")
        .annotate(points=Sum("remaining"), first=Min("expires_at"))
        .order_by("member_id")
    )
    return [(r["member_id"], r["points"], r["first"]) for r in rows]
