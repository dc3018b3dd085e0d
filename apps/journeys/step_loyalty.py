"""The loyalty step: grant points through loyalty's ledger, once per enrollment and step.

The ledger entry carries the idempotency key `journey:<enrollment>:<step number>` (unique in
loyalty's ledger), so a retried or raced step grants once and returns the first entry."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .registries import StepType
from .services.engine import StepContext, StepResult

POINTS_MAX = 100_000


def grant_key(ctx: StepContext) -> str:
    """The ledger's idempotency key of this step for this enrollment."""
    return f"journey:{ctx.enrollment.pk}:{ctx.seq}"


def points_clean(config: dict) -> dict:
    try:
        points = int(config.get("points"))  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ValidationError({"points": _("Give a whole number of points.")}) from exc
    if not 1 <= points <= POINTS_MAX:
        raise ValidationError({"points": _("Grant between 1 and 100,000 points.")})
    return {"points": points, "reason": str(config.get("reason") or "").strip()[:200]}


def points_run(ctx: StepContext) -> StepResult:
    from apps.loyalty.models import EntrySource
    from apps.loyalty.services.ledger import member_enrol, points_earn

    from .steps import wording

    points = int(ctx.config.get("points") or 0)
    detail: dict[str, Any] = {"points": points}
    if ctx.enrollment.test_run:
        return StepResult(outcome="granted", detail=detail)
    member = member_enrol(contact=ctx.contact, at=ctx.now)
    reason = wording(ctx.config.get("reason") or "", ctx.variables()) or ctx.journey.name
    entry = points_earn(
        member=member,
        points=points,
        source=EntrySource.RULE,
        idempotency_key=grant_key(ctx),
        at=ctx.now,
        reason=reason,
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
