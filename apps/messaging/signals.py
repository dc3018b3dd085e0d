"""django-anymail's tracking signal, handed to the e-mail events service."""

from anymail.signals import tracking
from django.dispatch import receiver

from .services.email_events import email_event_record


@receiver(tracking, dispatch_uid="messaging_email_tracking")
def _email_tracking(sender, event, esp_name, **kwargs) -> None:
    email_event_record(
        message_id=str(event.message_id or ""),
        event_type=str(event.event_type or ""),
        description=str(event.description or event.reject_reason or ""),
    )
