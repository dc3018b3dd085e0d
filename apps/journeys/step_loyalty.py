"""The loyalty steps: grant points through loyalty's ledger, or a voucher, once per
enrollment and step.

The ledger entry (or the voucher) carries the idempotency key `journey:<enrollment>:<step
number>` (unique in loyalty's ledger and in its vouchers), so a retried or raced step grants
once and returns the first entry (or voucher)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cxsuite.lib.errors import DomainError

from .registries import StepType
from .services.engine import StepContext, StepResult

POINTS_MAX = 100_000


def grant_key(ctx: StepContext) -> str:
    """The ledger's idempotency key of this step for this enrollment."""
    return f"journey:{ctx.enrollment.pk}:{ctx.seq}"


def points_clean(config: dict) -> dict:
    try:
        points = int(config.get("points"))  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValidationError({"points": _("Give a whole number of points.")}) from exc
    if not 1 <= points <= POINTS_MAX:
        raise ValidationError({"points": _("Grant between 1 and 100,000 points.")})
    return {"points": points, "reason": str(config.get("reason") or "").strip()[:200]}


def points_grant(*, contact, points: int, key: str, at, reason: str):
    """Grant points through loyalty's ledger once per `key` (the ledger entry)."""
    from apps.loyalty.models import EntrySource
    from apps.loyalty.services.ledger import member_enrol, points_earn

    member = member_enrol(contact=contact, at=at)
    return points_earn(
        member=member,
        points=points,
        source=EntrySource.RULE,
        idempotency_key=key,
        at=at,
        reason=reason,
    )


def points_run(ctx: StepContext) -> StepResult:
    from .steps import wording

    points = int(ctx.config.get("points") or 0)
    detail: dict[str, Any] = {"points": points}
    if ctx.enrollment.test_run:
        return StepResult(outcome="granted", detail=detail)
    reason = wording(ctx.config.get("reason") or "", ctx.variables()) or ctx.journey.name
    entry = points_grant(
        contact=ctx.contact, points=points, key=grant_key(ctx), at=ctx.now, reason=reason
    )
    detail["entry_id"] = entry.pk
    return StepResult(outcome="granted", detail=detail)


POINTS = StepType(
    "loyalty.points",
    gettext_lazy("Grant loyalty points"),
    points_run,
    points_clean,
    fields=("points",),
)


def voucher_clean(config: dict) -> dict:
    """A reward of the loyalty catalogue, else a fixed amount or percent off (the errors name
    the field: no reward chosen names `reward`)."""
    from apps.loyalty.selectors.member_page import reward_get
    from apps.loyalty.services.vouchers import voucher_grant_check

    reward_id = config.get("reward")
    if reward_id not in (None, ""):
        try:
            number = int(reward_id)
        except (TypeError, ValueError, OverflowError):
            number = 0
        reward = reward_get(number) if 0 < number < 2**31 else None
        if reward is None or not reward.active:
            raise ValidationError({"reward": _("Choose a reward of the loyalty catalogue.")})
        return {"reward": reward.pk}
    kind, value, days = voucher_grant_check(
        reward=None,
        kind=str(config.get("kind") or ""),
        value=config.get("value") if config.get("value") not in (None, "") else 0,
        valid_days=90 if config.get("valid_days") in (None, "") else config["valid_days"],
    )
    return {"reward": None, "kind": kind, "value": str(value), "valid_days": days}


def voucher_give(*, contact, config: dict, key: str, at):
    """Issue a voucher (`config` as `voucher_clean` returns it) through loyalty's
    `voucher_grant`, once per `key`. Returns the voucher, or why none was given: the reward
    was deleted or withdrawn, is out of stock, or the contact can no longer be a member."""
    from apps.loyalty.selectors.member_page import reward_get
    from apps.loyalty.services.ledger import member_enrol
    from apps.loyalty.services.vouchers import voucher_grant

    reward = reward_get(int(config["reward"])) if config.get("reward") else None
    if config.get("reward") and reward is None:
        return "reward deleted"
    try:
        member = member_enrol(contact=contact, at=at)
        return voucher_grant(
            member=member,
            idempotency_key=key,
            reward=reward,
            kind=str(config.get("kind") or ""),
            value=config.get("value") or 0,
            valid_days=int(config.get("valid_days") or 90),
            at=at,
        )
    except DomainError as exc:  # out of stock
        return str(exc)
    except ValidationError as exc:  # the reward was withdrawn, the member left
        return " ".join(exc.messages)


def voucher_run(ctx: StepContext) -> StepResult:
    """Issue the voucher keyed by (enrollment, step): a retried or raced step issues one. A
    voucher that cannot be given skips the step, saying why, and the contact goes on."""
    from apps.loyalty.selectors.member_page import reward_get

    config = ctx.config
    detail: dict[str, Any] = {"reward": int(config["reward"]) if config.get("reward") else None}
    if ctx.enrollment.test_run:
        if config.get("reward") and reward_get(int(config["reward"])) is None:
            return StepResult(outcome="skipped", detail=detail | {"reason": "reward deleted"})
        return StepResult(outcome="granted", detail=detail)
    voucher = voucher_give(contact=ctx.contact, config=config, key=grant_key(ctx), at=ctx.now)
    if isinstance(voucher, str):
        return StepResult(outcome="skipped", detail=detail | {"reason": voucher})
    detail |= {"voucher_id": voucher.pk, "label": voucher.label}
    return StepResult(outcome="granted", detail=detail)


VOUCHER = StepType(
    "loyalty.voucher",
    gettext_lazy("Grant a loyalty voucher"),
    voucher_run,
    voucher_clean,
    fields=("reward", "voucher_kind", "voucher_value", "valid_days"),
)
