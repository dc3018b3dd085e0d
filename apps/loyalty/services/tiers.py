"""Tiers: reached by points *earned* (or money spent) over the program's rolling window,
never by the balance (spending points does not cost a member their tier). An upgrade is
given at once; a member who no longer reaches their tier keeps it for the grace period
(`tier_keep_until`), re-checked nightly, and is moved down only when it has passed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum

from ..models import EntryKind, LedgerEntry, Member, Program, Tier, TierBasis, TierChange
from .common import add_months, loyalty_event, now_or, program_get


def member_tier_basis(
    member: Member, *, at: dt.datetime, program: Program | None = None
) -> Decimal:
    """What the member's tier is measured on over the window: points earned (earn entries
    less the reversals of earns), or the money spent (purchases less refunds)."""
    program = program or program_get()
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
    *,
    member: Member,
    at: dt.datetime | None = None,
    reason: str = "",
    program: Program | None = None,
) -> Member:
    """Put the (locked) member in the tier their window earns: up at once; down only once
    the grace period has passed (it starts the first time they fall short)."""
    program = program or program_get()
    if not program.tiers_enabled:
        return member
    at = now_or(at)
    with transaction.atomic():
        target = tier_for(member_tier_basis(member, at=at, program=program))
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
    from .notices import tier_change_notify

    tier_change_notify(member, previous=current, at=at, reason=reason)


def tiers_evaluate_all(*, at: dt.datetime | None = None) -> int:
    """The nightly run over every member in a tier (upgrades are given as points are
    earned, so only they can move): their window's points (or money spent) in one grouped
    query, then one UPDATE for the members whose grace period starts and one for those back
    in reach; only the few whose grace has ended (or who moved up) are handled one by one, locked,
    with their message-worthy event. Returns how many members changed."""
    from django.db.models import Exists, OuterRef
    from django.db.models.functions import Coalesce

    from .common import member_lock

    at = now_or(at)
    program = program_get()
    if not program.tiers_enabled:
        return 0
    tiers = list(Tier.objects.order_by("-threshold"))
    rank = {t.pk: t.threshold for t in tiers}
    in_tier = Member.objects.filter(tier__isnull=False, active=True)
    one_by_one: list[int] = []
    grace_starts: list[int] = []
    back_in_reach: list[int] = []
    since = add_months(at, -program.tier_window_months)
    if program.tier_basis == TierBasis.SPEND:
        from apps.contacts.selectors import contacts_spend_between

        spent = contacts_spend_between(in_tier.values("contact_id"), since, at)
        rows = [
            (pk, tier_id, keep_until, spent.get(contact_id, Decimal(0)))
            for pk, tier_id, keep_until, contact_id in in_tier.values_list(
                "pk", "tier_id", "tier_keep_until", "contact_id"
            )
        ]
    else:
        earns = Q(entries__kind=EntryKind.EARN) | Q(
            Exists(
                LedgerEntry.objects.filter(pk=OuterRef("entries__reverses"), kind=EntryKind.EARN)
            ),
            entries__kind=EntryKind.REVERSE,
        )
        window = Q(entries__occurred_at__gt=since, entries__occurred_at__lte=at) & earns
        rows = list(
            in_tier.annotate(value=Coalesce(Sum("entries__points", filter=window), 0)).values_list(
                "pk", "tier_id", "tier_keep_until", "value"
            )
        )
    for pk, tier_id, keep_until, value in rows:
        target = next((t.pk for t in tiers if t.threshold <= value), None)
        current = rank[tier_id]
        reached = rank[target] if target is not None else Decimal(-1)
        if reached > current:
            one_by_one.append(pk)
        elif reached == current:
            if keep_until is not None:
                back_in_reach.append(pk)
        elif keep_until is None:
            grace_starts.append(pk)
        elif keep_until <= at:
            one_by_one.append(pk)
    with transaction.atomic():
        Member.objects.filter(pk__in=grace_starts, tier_keep_until__isnull=True).update(
            tier_keep_until=at + dt.timedelta(days=program.tier_grace_days), updated=at
        )
        Member.objects.filter(pk__in=back_in_reach).update(tier_keep_until=None, updated=at)
    moved = len(grace_starts) + len(back_in_reach)
    for member_id in one_by_one:
        with transaction.atomic():
            member = member_lock(member_id)
            before = (member.tier_id, member.tier_keep_until)
            member_tier_evaluate(member=member, at=at)
            moved += (member.tier_id, member.tier_keep_until) != before
    return moved
