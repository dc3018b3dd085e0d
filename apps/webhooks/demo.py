"""Bright Smile Dental's webhook endpoint for its booking partner: the booking events of the
last days are in its log, waiting, since the endpoint is turned off in the demo (its address
is an example that nobody answers). Everything goes through the services."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from apps.contacts.selectors import events_since

from .services import webhook_endpoint_create, webhook_endpoint_disable, webhooks_on_events


def demo_seed(*, tenant, rng) -> None:
    from datetime import timedelta

    from django.utils import timezone

    try:
        endpoint, _secret = webhook_endpoint_create(
            url="https://hooks.partner-booking.example.com/cxsuite",
            description="Booking widget (example)",
            event_types=["appointment.booked", "appointment.cancelled", "appointment.rescheduled"],
        )
    except ValidationError:  # the address is refused where private names are checked
        return
    recent = list(
        events_since(since=timezone.now() - timedelta(days=7), types=endpoint.event_types)[:12]
    )
    webhooks_on_events(recent)
    webhook_endpoint_disable(endpoint=endpoint)
