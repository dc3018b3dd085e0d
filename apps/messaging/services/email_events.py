"""What e-mail providers report about sent e-mails (through django-anymail's webhooks)."""

from __future__ import annotations

from apps.contacts.services import consent_set

from ..models import Message
from .sending import message_status_update

# anymail's normalised event types -> our message statuses
STATUS_FOR_EVENT = {
    "delivered": "delivered",
    "opened": "opened",
    "clicked": "clicked",
    "bounced": "failed",
    "rejected": "failed",
    "failed": "failed",
}
OPT_OUT_EVENTS = {"complained", "unsubscribed"}
# what message listeners hear: a "deferred" report is a temporary (soft) bounce
LISTENED = {
    "delivered": "delivered",
    "bounced": "bounced",
    "rejected": "bounced",
    "deferred": "soft_bounced",
    "complained": "complained",
    "unsubscribed": "unsubscribed",
}


def email_event_record(
    *, message_id: str, event_type: str, description: str = ""
) -> Message | None:
    """Apply a provider's e-mail event: a status step, or an opt-out after a spam complaint or
    an unsubscribe at the provider. Events about unknown messages are ignored."""
    if not message_id:
        return None
    heard = LISTENED.get(event_type)
    if heard:
        from .sending import message_listeners_notify

        found = Message.objects.filter(provider_message_id=message_id).first()
        if found is not None:
            message_listeners_notify(message=found, event=heard)
    if event_type in OPT_OUT_EVENTS:
        message = (
            Message.objects.select_related("contact").filter(provider_message_id=message_id).first()
        )
        if message is not None and message.contact.erased_at is None:
            consent_set(
                contact=message.contact,
                channel="email",
                status="opted_out",
                method="reply",
                note=f"e-mail provider: {event_type}",
            )
        return message
    status = STATUS_FOR_EVENT.get(event_type)
    if status is None:
        return None
    return message_status_update(
        provider_message_id=message_id,
        status=status,
        error=description if status == "failed" else "",
    )
