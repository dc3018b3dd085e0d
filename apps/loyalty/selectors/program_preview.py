"""What the program's settings page shows before anything is saved: what a sample purchase
would earn under settings as typed (the same arithmetic as earning), and which typed
changes take value away from members, each with the members it affects. Reads only; the
save is `services.program.program_update` (versioned, never retroactive)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.utils.translation import gettext as _

from ..models import Member, Program, Tier, VoucherStatus


@dataclass
class Preview:
    """What a sample purchase earns under some settings."""

    amount: Decimal
    tax: Decimal
    tip: Decimal
    base: Decimal
    points: int
    multiplier: Decimal
    tier_name: str
    cashback: Decimal
    cashback_form: str
    points_value: Decimal


def earn_preview(
    program: Program,
    *,
    amount: Decimal,
    tax: Decimal = Decimal(0),
    tip: Decimal = Decimal(0),
    tier: Tier | None = None,
) -> Preview:
    """What a purchase of `amount` (tax and tip included) would earn under `program` (an
    unsaved instance is fine), for a member in `tier`: the same arithmetic as earning."""
    base = amount
    if not program.earn_on_tax:
        base -= tax
    if not program.earn_on_tips:
        base -= tip
    base = max(base, Decimal(0))
    multiplier = tier.earn_multiplier if (tier is not None and program.tiers_enabled) else 1
    points = 0
    if program.points_enabled:
        raw = base * Decimal(str(program.points_per_unit or 0)) * Decimal(multiplier)
        points = int(raw.to_integral_value(ROUND_DOWN))
    cashback = Decimal(0)
    if program.cashback_enabled and program.cashback_percent:
        cashback = (base * Decimal(str(program.cashback_percent)) / 100).quantize(
            Decimal("0.01"), ROUND_DOWN
        )
    return Preview(
        amount=amount,
        tax=tax,
        tip=tip,
        base=base,
        points=points,
        multiplier=Decimal(multiplier),
        tier_name=tier.name if tier is not None else "",
        cashback=cashback,
        cashback_form=program.cashback_form,
        points_value=(Decimal(points) * Decimal(str(program.point_value or 0))).quantize(
            Decimal("0.01")
        ),
    )


@dataclass
class Loss:
    """A change that takes value away: what it is and how many members it affects."""

    field: str
    message: str
    members: int


def _members_active() -> int:
    return Member.objects.filter(active=True).count()


def _less(new: Any, old: Any) -> bool:
    return new is not None and old is not None and Decimal(new) < Decimal(old)


def program_losses(old: Program, new: Program) -> list[Loss]:
    """The changes from `old` to `new` that take value away from members, each with the
    members it affects (counted now; one query per kind of change). None is retroactive."""
    losses: list[Loss] = []
    counts: dict[str, int] = {}

    def members() -> int:
        if "all" not in counts:
            counts["all"] = _members_active()
        return counts["all"]

    def add(name: str, message: str, count: int) -> None:
        losses.append(Loss(name, message, count))

    for family, label in (
        ("points_enabled", _("Points are switched off: members stop earning points.")),
        ("tiers_enabled", _("Tiers are switched off: members lose their tier's benefits.")),
        ("cashback_enabled", _("Cashback is switched off.")),
        ("referrals_enabled", _("Referrals are switched off.")),
    ):
        if getattr(old, family) and not getattr(new, family):
            if family == "tiers_enabled":
                add(family, label, Member.objects.filter(tier__isnull=False).count())
            else:
                add(family, label, members())
    if _less(new.points_per_unit, old.points_per_unit):
        add("points_per_unit", _("Purchases will earn fewer points."), members())
    if _less(new.points_per_visit, old.points_per_visit):
        add("points_per_visit", _("Visits will earn fewer points."), members())
    if old.earn_on_tax and not new.earn_on_tax:
        add("earn_on_tax", _("Tax will no longer earn points."), members())
    if old.earn_on_tips and not new.earn_on_tips:
        add("earn_on_tips", _("Tips will no longer earn points."), members())
    if _less(old.return_window_days, new.return_window_days):
        add(
            "return_window_days",
            _("Points from purchases will stay pending longer."),
            members(),
        )
    if new.expiry_months and (not old.expiry_months or new.expiry_months < old.expiry_months):
        add(
            "expiry_months",
            _(
                "Points earned from now on will expire sooner; points already earned keep their date."
            ),
            members(),
        )
    if old.expired_voucher_points_back and not new.expired_voucher_points_back:
        add(
            "expired_voucher_points_back",
            _("Points of vouchers that expire unused will no longer come back."),
            Member.objects.filter(vouchers__status=VoucherStatus.ISSUED).distinct().count(),
        )
    with_tier = None
    if _less(new.tier_window_months, old.tier_window_months):
        with_tier = Member.objects.filter(tier__isnull=False).count()
        add("tier_window_months", _("Tiers will count a shorter window."), with_tier)
    if _less(new.tier_grace_days, old.tier_grace_days):
        if with_tier is None:
            with_tier = Member.objects.filter(tier__isnull=False).count()
        add(
            "tier_grace_days",
            _("Members will keep a tier they no longer reach for less time."),
            with_tier,
        )
    if _less(new.cashback_percent, old.cashback_percent):
        add("cashback_percent", _("Cashback will be smaller."), members())
    if (old.visit_reward_every and not new.visit_reward_every) or _less(
        old.visit_reward_every, new.visit_reward_every
    ):
        add("visit_reward_every", _("Visit rewards will take more visits."), members())
    if _less(new.referrer_points, old.referrer_points) or _less(
        new.referred_points, old.referred_points
    ):
        add("referrer_points", _("Referrals will earn fewer points."), members())
    return losses


def tier_losses(tier: Tier | None, threshold: Decimal | None) -> int:
    """Members now in `tier` who may fall short of a raised threshold (they keep the tier
    for the grace period; the change is not retroactive to the points already earned)."""
    if tier is None or tier.pk is None or threshold is None or threshold <= tier.threshold:
        return 0
    return Member.objects.filter(tier=tier).count()
