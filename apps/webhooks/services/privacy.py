"""Webhooks' share of a contact's erasure (registered in `WebhooksConfig.ready()`).

A delivery keeps a copy of the body it sent: the event's properties, which can hold what the
customer wrote or their details. Erasure replaces that copy with the event's id, type and
time, and clears the receivers' answers (a receiver may echo the body back); the rows, their
statuses, codes, attempt counts and timings stay, so the log still adds up. A delivery still
waiting sends the cleared body.

A merge needs no hook: deliveries point at events, not at contacts, and the merge moves the
events to the survivor, so an erasure of the survivor later finds them. A body already sent
stays as it was sent (it told the partner of the contact as it was then), and an export has
nothing to add: the bodies repeat the timeline, which the export holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from ..models import WebhookAttempt, WebhookDelivery

if TYPE_CHECKING:
    from apps.contacts.models import Contact


def webhook_deliveries_erase(contact: Contact) -> None:
    """Clear the bodies sent about the contact and the answers to them; keep the figures."""
    with transaction.atomic():
        deliveries = list(
            WebhookDelivery.objects.select_for_update()
            .filter(event__contact_id=contact.pk)
            .only("pk", "payload", "event_id", "event_type")
        )
        for delivery in deliveries:
            payload = delivery.payload or {}
            delivery.payload = {
                "type": delivery.event_type,
                "timestamp": payload.get("timestamp"),
                "data": {"event_id": delivery.event_id, "contact_id": contact.pk, "erased": True},
            }
        WebhookDelivery.objects.bulk_update(deliveries, ["payload"], batch_size=500)
        WebhookAttempt.objects.filter(delivery__in=[d.pk for d in deliveries]).update(
            response_body=""
        )
