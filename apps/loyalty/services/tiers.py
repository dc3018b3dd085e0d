"""Tiers: reached by points *earned* (or money spent) over the program's rolling window,
never by the balance (spending points does not cost a member their tier). An upgrade is
given at once; a member who no longer reaches their tier keeps it for the grace period
(`tier_keep_until`), re-checked nightly, and is moved down only when it has passed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum

from ..models import EntryKind, LedgerEntry, Member, Tier, TierBasis, TierChange
from .common import add_months, loyalty_event, now_or, program_get


def member_tier_basis(member: Member, *, at: dt.datetime) -> Decimal:
    """What the member's tier is measured on over the window: points earned (earn entries
    less the reversals of earns), or the money spent (purchases less refunds)."""
    program = program_get()
    since = add_months(at, -program.tier_window_months)
    if program.tier_basis == TierBasis.SPEND:
        from apps.contacts.selectors import contact_spend_between

        return contact_spend_between(member.contact_id, since, at)
    earned = LedgerEntry.objects.filter(
        Q(kind=EntryKind.EARN) | Q(kind=EntryKind.REVERSE, reverses__kind=EntryKind.EARN),
        member=member,
        occurred_at__gt=since,
        occurred_at__lte=at,
    ).aggregate(total=Sum("points"))["total"]
    return Decimal(earned or 0)


def tier_for(value: Decimal) -> Tier | None:
    """The highest tier whose threshold the value reaches."""
    return Tier.objects.filter(threshold__lte=value).order_by("-threshold").first()


def member_tier_evaluate(
    *, member: Member, at: dt.datetime | None = None, reason: str = ""
) -> Member:
    """Put the (locked) member in the tier their window earns: up at once; down only once
    the grace period has passed (it starts the first time they fall short)."""
    program = program_get()
    if not program.tiers_enabled:
        return member
    at = now_or(at)
    with transaction.atomic():
        target = tier_for(member_tier_basis(member, at=at))
        current = member.tier
        if target == current:
            if member.tier_keep_until is not None:
                member.tier_keep_until = None
                member.save(update_fields=["tier_keep_until", "updated"])
            return member
        if _rank(target) > _rank(current) or reason == "merge":
            _tier_move(member, current, target, at=at, reason=reason or "upgrade")
        elif member.tier_keep_until is None:
            member.tier_keep_until = at + dt.timedelta(days=program.tier_grace_days)
            member.save(update_fields=["tier_keep_until", "updated"])
        elif member.tier_keep_until <= at:
            _tier_move(member, current, target, at=at, reason="downgrade")
    return member


def _rank(tier: Tier | None) -> Decimal:
    return tier.threshold if tier else Decimal(-1)


def _tier_move(member: Member, current, target, *, at: dt.datetime, reason: str) -> None:
    member.tier = target
    member.tier_since = at
    member.tier_keep_until = None
    member.save(update_fields=["tier", "tier_since", "tier_keep_until", "updated"])
    TierChange.objects.create(
        member=member, from_tier=current, to_tier=target, occurred_at=at, reason=reason
    )
    loyalty_event(
        member=member,
        type="loyalty.tier_changed",
        properties={
            "tier": target.name if target else "",
            "previous_tier": current.name if current else "",
            "reason": reason,
        },
        at=at,
    )


def tiers_evaluate_all(*, at: dt.datetime | None = None) -> int:
    """The nightly run: every member in a tier, one at a time, each locked (a downgrade
    starts its grace period or, once it has passed, happens)."""
    from .common import member_lock

    at = now_or(at)
    program = program_get()
    if not program.tiers_enabled:
        return 0
    moved = 0
    # upgrades are given as points are earned; at night only a member in a tier can move
    candidates = Member.objects.filter(tier__isnull=False).order_by("pk")
    for member_id in candidates.values_list("pk", flat=True):
        with transaction.atomic():
            member = member_lock(member_id)
            before = (member.tier_id, member.tier_keep_until)
            member_tier_evaluate(member=member, at=at)
            moved += (member.tier_id, member.tier_keep_until) != before
    return moved
