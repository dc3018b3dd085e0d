"""Reads about members for the staff pages, the member card and the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Min, Q, QuerySet, Sum
from django.utils import timezone

from ..models import LedgerEntry, Member, PointLot, Reward, Tier, Voucher, VoucherStatus


def member_get(pk: int) -> Member:
    """One member with their contact and tier (raises Member.DoesNotExist)."""
    return Member.objects.select_related("contact", "tier").get(pk=pk)


def member_list(*, tier: Tier | None = None) -> QuerySet[Member]:
    """Members, newest first, with what a list row shows."""
    members = Member.objects.select_related("contact", "tier").filter(active=True)
    return members.filter(tier=tier) if tier is not None else members


def member_statement(member: Member, *, limit: int = 200) -> list[LedgerEntry]:
    """The ledger entry by entry, oldest first, each with the balance after it: the
    statement that explains today's balance (the last `limit` entries)."""
    entries = (
        LedgerEntry.objects.filter(member=member)
        .select_related("staff", "voucher", "rule")
        .order_by("-occurred_at", "-pk")[:limit]
    )
    return list(reversed(list(entries)))


def lots_open(member: Member) -> list[PointLot]:
    """Every lot still holding points, with when each expires (the member card lists them
    all, not only the earliest)."""
    return list(member.lots.filter(remaining__gt=0).order_by("earned_at", "pk"))


def vouchers_open(member: Member, *, now: dt.datetime | None = None) -> list[Voucher]:
    now = now or timezone.now()
    return list(
        member.vouchers.filter(status=VoucherStatus.ISSUED, expires_at__gt=now).order_by(
            "expires_at", "pk"
        )
    )


def rewards_affordable(member: Member, *, now: dt.datetime | None = None) -> list[Reward]:
    """Active rewards in stock that the member's available points pay for."""
    from ..services.ledger import points_available

    now = now or timezone.now()
    available = points_available(member, at=now)
    return list(
        Reward.objects.filter(active=True, cost_points__lte=available)
        .filter(Q(stock__isnull=True) | Q(stock__gt=0))
        .filter(Q(available_from__isnull=True) | Q(available_from__lte=now))
        .filter(Q(available_until__isnull=True) | Q(available_until__gt=now))
    )


@dataclass(frozen=True)
class TierProgress:
    """Where the member stands: the value counted over the window, their tier, the next one
    and how much is left to reach it, and whether they still reach the tier they hold."""

    value: Decimal
    tier: Tier | None
    next_tier: Tier | None
    to_next: Decimal
    keeps_tier: bool
    keep_until: dt.datetime | None


def tier_progress(member: Member, *, now: dt.datetime | None = None) -> TierProgress:
    from ..services.tiers import member_tier_basis

    now = now or timezone.now()
    value = member_tier_basis(member, at=now)
    tiers = list(Tier.objects.order_by("threshold"))
    following = [t for t in tiers if member.tier is None or t.threshold > member.tier.threshold]
    next_tier = following[0] if following else None
    return TierProgress(
        value=value,
        tier=member.tier,
        next_tier=next_tier,
        to_next=max(Decimal(0), next_tier.threshold - value) if next_tier else Decimal(0),
        keeps_tier=member.tier is None or value >= member.tier.threshold,
        keep_until=member.tier_keep_until,
    )


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
