"""Reads of webhooks: the endpoints with their recent figures, a delivery log page."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from apps.contacts.registries import event_types as catalogue

from .models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint


def webhook_endpoint_list() -> QuerySet[WebhookEndpoint]:
    """Every endpoint with its count of waiting and failed deliveries (one query)."""
    return WebhookEndpoint.objects.annotate(
        pending_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.PENDING)),
        failed_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
    ).order_by("pk")


def webhook_endpoint_get(pk: int) -> WebhookEndpoint:
    """An endpoint of this business or 404 (the schema scopes it to the business)."""
    return get_object_or_404(WebhookEndpoint, pk=pk)


def webhook_delivery_list(
    *,
    endpoint: WebhookEndpoint,
    status: str | None = None,
    event_type: str | None = None,
    updated_since: datetime | None = None,
) -> QuerySet[WebhookDelivery]:
    """The endpoint's deliveries, newest first, narrowed by status, type or change time."""
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint)
    if status:
        deliveries = deliveries.filter(status=status)
    if event_type:
        deliveries = deliveries.filter(event_type=event_type)
    if updated_since is not None:
        deliveries = deliveries.filter(updated__gte=updated_since)
    return deliveries.order_by("-created", "-pk")


def webhook_delivery_get(*, endpoint: WebhookEndpoint, pk: int) -> WebhookDelivery:
    """One delivery of the endpoint or 404."""
    return get_object_or_404(
        WebhookDelivery.objects.select_related("endpoint"), endpoint=endpoint, pk=pk
    )


def webhook_attempts_for(delivery: WebhookDelivery, *, limit: int = 20) -> list[WebhookAttempt]:
    """The delivery's latest attempts, newest first."""
    return list(
        WebhookAttempt.objects.filter(delivery=delivery).order_by("-attempted_at", "-pk")[:limit]
    )


def event_type_choices() -> list[tuple[str, str]]:
    """Every event type of the catalogue as (name, "name — label"), in the catalogue's order."""
    return [(name, f"{name} — {t.label}") for name, t in catalogue.items()]


def webhook_endpoint_find(pk: object) -> WebhookEndpoint | None:
    """An endpoint of this business by its id, or None (an unknown or malformed id)."""
    try:
        return WebhookEndpoint.objects.filter(pk=int(pk)).first()  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def webhook_endpoint_choices() -> list[tuple[int, str]]:
    """Every endpoint as (id, "description — URL"), the turned-off ones marked, for a chooser
    (choosing one that is off is refused with its reason rather than hidden)."""
    choices = []
    for endpoint in WebhookEndpoint.objects.order_by("pk"):
        label = f"{endpoint.description} — {endpoint.url}" if endpoint.description else endpoint.url
        if not endpoint.is_active:
            label = _("%(endpoint)s (turned off)") % {"endpoint": label}
        choices.append((endpoint.pk, label))
    return choices
