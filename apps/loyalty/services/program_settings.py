"""The program's settings as staff change them: what a sample purchase would earn under
settings not saved yet (the live preview), which changes take value away from members and
how many members each one affects (shown before saving), saving a new version of the
program, and the tiers and rewards catalogue.

A change that takes value away is never retroactive: lots keep the expiry and the version
they were earned under (see models.Program); the new settings apply to points earned
afterwards. Saving records a `ProgramVersion` with a summary and the members affected."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cxsuite.lib.errors import DomainError

from ..models import (
    CashbackForm,
    Member,
    Program,
    ProgramVersion,
    Reward,
    Tier,
    VoucherStatus,
)
from .common import now_or, program_get

if TYPE_CHECKING:
    from apps.accounts.models import User

# the settings a version records (every one that changes what members get)
VERSIONED = [
    "points_enabled",
    "tiers_enabled",
    "cashback_enabled",
    "referrals_enabled",
    "points_per_unit",
    "points_per_visit",
    "earn_on_tax",
    "earn_on_tips",
    "enrolment",
    "return_window_days",
    "expiry_months",
    "expiry_reminder_days",
    "point_value",
    "expired_voucher_points_back",
    "tier_basis",
    "tier_window_months",
    "tier_grace_days",
    "cashback_percent",
    "cashback_form",
    "visit_reward_every",
    "referral_trigger",
    "referrer_points",
    "referred_points",
]


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


def _snapshot(program: Program) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in VERSIONED:
        value = getattr(program, name)
        data[name] = str(value) if isinstance(value, Decimal) else value
    data["visit_reward_id"] = program.visit_reward_id
    return data


def program_settings_save(
    *,
    program: Program,
    staff: User,
    confirmed: bool = False,
    at: dt.datetime | None = None,
) -> ProgramVersion | None:
    """Save `program` (an instance carrying the new values, as a form left it). A change that
    takes value away needs `confirmed` (the page showed its losses first), else a
    ValidationError names it. Returns the new version, or None when nothing changed."""
    from apps.accounts.choices import Role

    if not staff.has_role(Role.MANAGER):
        raise DomainError(_("Only a manager can change the program."), code="permission_denied")
    at = now_or(at)
    with transaction.atomic():
        current = Program.objects.select_for_update().get(pk=program_get().pk)
        before, after = _snapshot(current), _snapshot(program)
        if before == after:
            return None
        losses = program_losses(current, program)
        if losses and not confirmed:
            raise ValidationError(
                {"confirm": _("Some changes take value away from members: confirm them first.")}
            )
        if program.cashback_form not in CashbackForm.values:
            raise ValidationError({"cashback_form": _("Choose wallet credit or a voucher.")})
        program.pk = current.pk
        program.version = current.version + 1
        try:
            with transaction.atomic():
                program.save()
        except IntegrityError as exc:
            raise ValidationError(_("These settings are out of range.")) from exc
        changed = sorted(name for name in after if after[name] != before.get(name))
        return ProgramVersion.objects.create(
            number=program.version,
            settings=after,
            summary=", ".join(changed)[:300],
            members_affected=max((loss.members for loss in losses), default=0),
            effective_from=at,
            created_by=staff,
        )


# --- tiers ------------------------------------------------------------------------------------
def tier_losses(tier: Tier | None, threshold: Decimal | None) -> int:
    """Members now in `tier` who may fall short of a raised threshold (they keep the tier
    for the grace period; the change is not retroactive to the points already earned)."""
    if tier is None or tier.pk is None or threshold is None or threshold <= tier.threshold:
        return 0
    return Member.objects.filter(tier=tier).count()


def tier_save(*, tier: Tier, staff: User) -> Tier:
    """Add or change a tier; two tiers cannot share a threshold."""
    from apps.accounts.choices import Role

    if not staff.has_role(Role.MANAGER):
        raise DomainError(_("Only a manager can change the program."), code="permission_denied")
    try:
        with transaction.atomic():
            tier.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"threshold": _("Another tier is reached at this threshold.")}
        ) from exc
    return tier


def tier_delete(*, tier: Tier, staff: User) -> None:
    """Remove a tier; its members are placed again at the next nightly evaluation (they
    have no tier until then)."""
    from apps.accounts.choices import Role

    if not staff.has_role(Role.MANAGER):
        raise DomainError(_("Only a manager can change the program."), code="permission_denied")
    with transaction.atomic():
        tier.delete()


# --- rewards ----------------------------------------------------------------------------------
def reward_save(*, reward: Reward, staff: User) -> Reward:
    """Add or change a reward of the catalogue (vouchers issued keep their own terms)."""
    from apps.accounts.choices import Role

    if not staff.has_role(Role.MANAGER):
        raise DomainError(_("Only a manager can change the program."), code="permission_denied")
    if reward.kind == "percent_off" and not (0 < reward.value <= 100):
        raise ValidationError({"value": _("A percentage is between 1 and 100.")})
    if (
        reward.available_from
        and reward.available_until
        and reward.available_until <= reward.available_from
    ):
        raise ValidationError({"available_until": _("End after the start.")})
    try:
        with transaction.atomic():
            reward.save()
    except IntegrityError as exc:
        raise ValidationError(_("These values are out of range.")) from exc
    return reward
