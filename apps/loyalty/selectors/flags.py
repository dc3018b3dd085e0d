"""The flagged activity page's reads: the flags, newest first, by kind, review status,
staff member and how far back; one query for the page whatever it shows."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from ..models import ActivityFlag

OPEN, REVIEWED = "open", "reviewed"


def flags_list(
    *,
    kind: str = "",
    status: str = "",
    staff_id: int | None = None,
    since: dt.datetime | None = None,
) -> QuerySet[ActivityFlag]:
    flags = ActivityFlag.objects.select_related("member__contact", "staff", "resolved_by").order_by(
        "-created", "-pk"
    )
    if kind:
        flags = flags.filter(kind=kind)
    if status == OPEN:
        flags = flags.filter(resolved_at__isnull=True)
    elif status == REVIEWED:
        flags = flags.filter(resolved_at__isnull=False)
    if staff_id is not None:
        flags = flags.filter(staff_id=staff_id)
    if since is not None:
        flags = flags.filter(created__gte=since)
    return flags


def flag_staff_choices() -> list[tuple[int, str]]:
    """The staff members some flag names (the staff filter's choices), in one query."""
    rows = (
        ActivityFlag.objects.filter(staff__isnull=False)
        .values_list("staff_id", "staff__name", "staff__email")
        .order_by("staff__name", "staff_id")
        .distinct()
    )
    return [(pk, name or email) for pk, name, email in rows]
