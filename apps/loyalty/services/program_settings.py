"""Changes to the program's catalogue the core's `services.program` does not make:
removing a tier and adding or changing a reward (managers only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cxsuite.lib.errors import DomainError

from ..models import Reward, Tier

if TYPE_CHECKING:
    from apps.accounts.models import User


# --- tiers ------------------------------------------------------------------------------------
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
