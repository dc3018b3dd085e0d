"""Reads of members for the staff pages and the member card: the list (searched,
filtered, bounded), one member's picture (balance, lots, tier progress, vouchers, history)
and the statement that explains today's balance entry by entry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from ..models import (
    EntryKind,
    LedgerEntry,
    Member,
    PointLot,
    Program,
    Reward,
    Tier,
    Voucher,
    VoucherStatus,
)

LIST_LIMIT = 50
HISTORY_LIMIT = 50


def members_list(*, query: str = "", tier: int | str | None = None) -> QuerySet[Member]:
    """Members, newest first, with their contact and tier in the same query; `query`
    matches the contact's name, e-mail or phone like the contacts list, `tier` is a tier's
    id or "none". Callers slice it (pages of LIST_LIMIT)."""
    from apps.contacts.selectors import contact_search_filter

    members = Member.objects.select_related("contact", "tier").defer("contact__search")
    query = (query or "").strip()
    if query:
        members = members.filter(
            Q(referral_code=query.upper())
            | Q(contact__in=_contacts_matching(contact_search_filter(query)))
        )
    if tier == "none":
        members = members.filter(tier__isnull=True)
    elif tier:
        members = members.filter(tier_id=tier)
    return members.order_by("-member_since", "-pk")


def _contacts_matching(condition: Q):
    from apps.contacts.selectors import contacts_live

    return contacts_live().filter(condition).values("pk")


def member_for_contact_id(contact_id: int) -> Member | None:
    return Member.objects.select_related("tier").filter(contact_id=contact_id).first()


def member_get(pk: int) -> Member | None:
    return Member.objects.select_related("contact", "tier").filter(pk=pk).first()


@dataclass
class TierProgress:
    """Where the member stands: the tier they have, the next one, how far along they are."""

    enabled: bool
    basis: str  # "points" or "spend"
    value: Decimal = Decimal(0)
    window_months: int = 12
    current: Tier | None = None
    next: Tier | None = None
    to_next: Decimal = Decimal(0)
    percent: int = 0
    keeps: bool = True  # the window still reaches the current tier
    keep_until: dt.datetime | None = None
    short_to_keep: Decimal = Decimal(0)


def tier_progress(
    member: Member,
    *,
    at: dt.datetime,
    tiers: list[Tier] | None = None,
    program: Program | None = None,
) -> TierProgress:
    """The member's tier, the next one and how much more it takes (points or spend over the
    program's rolling window), and what it takes to keep the tier they have."""
    from ..services.common import program_get
    from ..services.tiers import member_tier_basis

    program = program or program_get()
    progress = TierProgress(
        enabled=program.tiers_enabled,
        basis=program.tier_basis,
        window_months=program.tier_window_months,
    )
    if not program.tiers_enabled:
        return progress
    tiers = list(Tier.objects.all()) if tiers is None else tiers
    value = member_tier_basis(member, at=at)
    progress.value = value
    progress.current = member.tier
    above = [t for t in tiers if t.threshold > (member.tier.threshold if member.tier else -1)]
    progress.next = above[0] if above else None
    if progress.next is not None:
        progress.to_next = max(progress.next.threshold - value, Decimal(0))
        floor = member.tier.threshold if member.tier else Decimal(0)
        span = progress.next.threshold - floor
        done = value - floor
        progress.percent = int(max(0, min(100, (done * 100 / span) if span > 0 else 100)))
    else:
        progress.percent = 100
    if member.tier is not None:
        progress.keeps = value >= member.tier.threshold
        progress.short_to_keep = max(member.tier.threshold - value, Decimal(0))
        progress.keep_until = member.tier_keep_until
    return progress


@dataclass
class StatementLine:
    entry: LedgerEntry
    before: int
    after: int


@dataclass
class Statement:
    """Today's balance explained: every entry from the first, with the balance before and
    after it, and what the balance is made of now (available, pending, by expiry)."""

    lines: list[StatementLine] = field(default_factory=list)
    total: int = 0
    earned: int = 0
    spent: int = 0
    expired: int = 0
    adjusted: int = 0
    reversed: int = 0
    available: int = 0
    pending: int = 0
    matches: bool = True


def member_statement(
    member: Member, *, at: dt.datetime, lots: list[PointLot] | None = None
) -> Statement:
    """Every ledger entry of the member, oldest first, with a running balance: it ends at
    the member's balance (checked, `matches`). Two queries (one with `lots` given)."""
    entries = list(
        LedgerEntry.objects.filter(member=member)
        .select_related("staff", "voucher", "rule")
        .order_by("occurred_at", "pk")
    )
    statement = Statement()
    running = 0
    sums: dict[str, str] = {
        EntryKind.EARN: "earned",
        EntryKind.REDEEM: "spent",
        EntryKind.EXPIRE: "expired",
        EntryKind.ADJUST: "adjusted",
        EntryKind.REVERSE: "reversed",
    }
    for entry in entries:
        before = running
        running += entry.points
        statement.lines.append(StatementLine(entry, before, running))
        name = sums.get(entry.kind)
        if name:
            setattr(statement, name, getattr(statement, name) + entry.points)
    statement.total = running
    statement.matches = running == member.balance
    lots = lots_open(member) if lots is None else lots
    statement.pending = sum(
        lot.remaining for lot in lots if lot.pending_until and lot.pending_until > at
    )
    statement.available = member.balance - statement.pending
    return statement


def lots_open(member: Member) -> list[PointLot]:
    """The member's lots that still hold points, oldest first (spent first)."""
    return list(member.lots.filter(remaining__gt=0).order_by("earned_at", "pk"))


def member_history(member: Member, *, limit: int = HISTORY_LIMIT) -> list[LedgerEntry]:
    """The latest ledger entries, newest first."""
    return list(
        LedgerEntry.objects.filter(member=member)
        .select_related("staff", "voucher")
        .order_by("-occurred_at", "-pk")[:limit]
    )


def member_vouchers(member: Member, *, usable_only: bool = False) -> list[Voucher]:
    vouchers = member.vouchers.order_by("-issued_at", "-pk")
    if usable_only:
        vouchers = vouchers.filter(status=VoucherStatus.ISSUED, expires_at__gt=timezone.now())
    return list(vouchers[:50])


def rewards_available(*, at: dt.datetime) -> list[Reward]:
    """Rewards that can be redeemed now (active, in their dates, in stock), cheapest first."""
    return list(
        Reward.objects.filter(active=True)
        .filter(Q(available_from__isnull=True) | Q(available_from__lte=at))
        .filter(Q(available_until__isnull=True) | Q(available_until__gt=at))
        .exclude(stock=0)
        .order_by("cost_points", "name", "pk")
    )


def reward_get(pk: int) -> Reward | None:
    return Reward.objects.filter(pk=pk).first()


def reward_names(ids) -> dict[int, str]:
    """{reward id: name} of these rewards, available or not (one query)."""
    ids = {int(pk) for pk in ids if pk}
    return dict(Reward.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


def points_spendable(member: Member, *, at: dt.datetime) -> int:
    """Points the member can spend now (not pending, not expired)."""
    total = member.lots.filter(
        Q(remaining__gt=0)
        & (Q(pending_until__isnull=True) | Q(pending_until__lte=at))
        & (Q(expires_at__isnull=True) | Q(expires_at__gt=at))
    ).aggregate(t=Sum("remaining"))["t"]
    return total or 0
