"""Reads the nightly notices need (the pages, the card and the API read through
`member_page`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

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


def tier_grace_warnings_due(*, now: dt.datetime) -> list[tuple[int, dt.datetime, Decimal]]:
    """(member id, end of the grace period, what the tier still needs) for every member in a
    grace period who was not told of this one yet and would drop at its end: the window
    that ends with the grace period, counting what is in it already (points earned, or the
    money spent). One grouped query per distinct end of grace (a few: one per night the
    periods started on)."""
    from django.db.models import Exists, F, OuterRef, Q
    from django.db.models.functions import Coalesce

    from ..models import EntryKind, LedgerEntry, Member, TierBasis
    from ..services.common import add_months, program_get

    program = program_get()
    if not program.tiers_enabled:
        return []
    waiting = (
        Member.objects.filter(
            active=True,
            tier__isnull=False,
            tier_keep_until__gt=now,
            contact__erased_at__isnull=True,
        )
        .exclude(tier_warned_until=F("tier_keep_until"))
        .order_by()
    )
    ends = sorted({end for end in waiting.values_list("tier_keep_until", flat=True) if end})
    due: list[tuple[int, dt.datetime, Decimal]] = []
    for end in ends:
        group = waiting.filter(tier_keep_until=end)
        since = add_months(end, -program.tier_window_months)
        if program.tier_basis == TierBasis.SPEND:
            from apps.contacts.selectors import contacts_spend_between

            spent = contacts_spend_between(group.values("contact_id"), since, now)
            rows = [
                (pk, threshold, spent.get(contact_id, Decimal(0)))
                for pk, threshold, contact_id in group.values_list(
                    "pk", "tier__threshold", "contact_id"
                )
            ]
        else:
            earns = Q(entries__kind=EntryKind.EARN) | Q(
                Exists(
                    LedgerEntry.objects.filter(
                        pk=OuterRef("entries__reverses"), kind=EntryKind.EARN
                    )
                ),
                entries__kind=EntryKind.REVERSE,
            )
            window = Q(entries__occurred_at__gt=since, entries__occurred_at__lte=now) & earns
            rows = list(
                group.annotate(
                    value=Coalesce(Sum("entries__points", filter=window), 0)
                ).values_list("pk", "tier__threshold", "value")
            )
        for pk, threshold, value in rows:
            short = Decimal(threshold) - Decimal(value)
            if short > 0:
                due.append((pk, end, short))
    return sorted(due)
