"""What the loyalty services share: the program row, the business's zone, the member lock
and the timeline events they record."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from ..models import Member, Program

if TYPE_CHECKING:
    from apps.accounts.models import User


def program_get() -> Program:
    """The business's program (one row, made with the defaults on first use)."""
    program, created = Program.objects.get_or_create(pk=1)
    if created:
        from .nightly import loyalty_schedule_nightly

        loyalty_schedule_nightly()
    return program


def business_zone() -> zoneinfo.ZoneInfo:
    """The business's time zone (UTC when it names none that exists)."""
    from apps.tenants.services import tenant_zone

    return tenant_zone()


def now_or(at: dt.datetime | None) -> dt.datetime:
    return at if at is not None else timezone.now()


def member_lock(member_id: int) -> Member:
    """The member's row, locked until the transaction ends: every change of points of one
    member goes through this lock, so concurrent earns and redemptions queue up."""
    return Member.objects.select_for_update().select_related("contact").get(pk=member_id)


def loyalty_event(
    *,
    member: Member,
    type: str,
    properties: dict[str, Any],
    at: dt.datetime,
    actor: User | None = None,
) -> None:
    """Record a loyalty event on the member's timeline."""
    from apps.contacts.services import event_record

    event_record(
        contact=member.contact,
        type=type,
        properties={"member_id": member.pk, **properties},
        source="loyalty",
        actor=actor,
        occurred_at=at,
    )


def add_months(value: dt.datetime, months: int) -> dt.datetime:
    """The same day `months` later (the month's last day when it is shorter)."""
    import calendar

    month = value.month - 1 + months
    year, month = value.year + month // 12, month % 12 + 1
    day = min(value.day, calendar.monthrange(year, month)[1])
    return value.replace(year=year, month=month, day=day)


def expiry_for(earned_at: dt.datetime, months: int | None) -> dt.datetime | None:
    """When points earned at `earned_at` expire: at the business's local midnight that ends
    the same date `months` later (the nightly run at that midnight takes them), whatever the
    UTC offset did in between."""
    if not months:
        return None
    zone = business_zone()
    local = earned_at.astimezone(zone)
    last_day = add_months(local, months).date()
    return dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
