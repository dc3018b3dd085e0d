"""The partner webhook step: send an event to one of the business's webhook endpoints, once
per enrollment and step.

The step records a `journey.webhook` timeline event with the client event id
`journey:<enrollment>:<step number>` (unique on the timeline) and makes its delivery to the
chosen endpoint through webhooks' `webhook_delivery_create_for` (unique on event and
endpoint), so a retried or raced step records nothing new and sends once. The event names its
endpoint, so webhooks' subscriber sends it to no other endpoint."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .registries import StepType
from .services.engine import StepContext, StepResult

EVENT = "journey.webhook"


def endpoint_clean(config: dict) -> dict:
    """The endpoint must be one of this business's, and turned on."""
    from apps.webhooks.selectors import webhook_endpoint_find

    endpoint = webhook_endpoint_find(config.get("endpoint_id"))
    if endpoint is None:
        raise ValidationError({"endpoint_id": _("Choose a webhook endpoint of this business.")})
    if not endpoint.is_active:
        raise ValidationError(
            {"endpoint_id": _("This webhook endpoint is turned off: turn it on or choose another.")}
        )
    return {"endpoint_id": endpoint.pk}


def _event_for(ctx: StepContext, endpoint_id: int):
    """The step's timeline event, recorded once under the step's key (found on a retry)."""
    from apps.contacts.models import TimelineEvent
    from apps.contacts.services.timeline import events_record_many

    properties: dict[str, Any] = {
        "journey_id": ctx.journey.pk,
        "journey_name": ctx.journey.name,
        "enrollment_id": ctx.enrollment.pk,
        "entry_key": ctx.enrollment.entry_key,
        "step": ctx.seq,
        "step_id": str(ctx.step.get("id") or ""),
        "webhook_endpoint_id": endpoint_id,
        "trigger": dict(ctx.enrollment.trigger_properties or {}),
    }
    key = ctx.dedupe_key
    events_record_many(
        type=EVENT,
        events=[(ctx.contact.pk, properties, key)],
        source="journeys",
        occurred_at=ctx.now,
    )
    return TimelineEvent.objects.filter(client_event_id=key).first()


def webhook_run(ctx: StepContext) -> StepResult:
    from apps.webhooks.selectors import webhook_endpoint_find
    from apps.webhooks.services import webhook_delivery_create_for

    endpoint = webhook_endpoint_find(ctx.config.get("endpoint_id"))
    detail: dict[str, Any] = {"endpoint_id": ctx.config.get("endpoint_id")}
    if endpoint is None or not endpoint.is_active:
        # removed or turned off since the journey was saved: nothing is sent, the contact goes on
        detail["reason"] = "endpoint removed" if endpoint is None else "endpoint turned off"
        return StepResult(outcome="skipped", detail=detail)
    if ctx.enrollment.test_run:
        return StepResult(outcome="called", detail=detail)
    event = _event_for(ctx, endpoint.pk)
    if event is None:  # the contact was erased
        return StepResult(outcome="skipped", detail=detail | {"reason": "contact erased"})
    delivery = webhook_delivery_create_for(event=event, endpoint=endpoint)
    detail |= {"event_id": event.pk, "delivery_id": delivery.pk}
    return StepResult(outcome="called", detail=detail)


WEBHOOK = StepType(
    "webhook",
    gettext_lazy("Call a partner webhook"),
    webhook_run,
    endpoint_clean,
    fields=("endpoint",),
)
