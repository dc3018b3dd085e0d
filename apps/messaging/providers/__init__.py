"""Providers behind one `send(message) -> SendResult` interface; `provider_for` picks the one
the business chose for a channel (email always goes through Django's email backend)."""

from __future__ import annotations

from .base import Provider, SendResult
from .email import EmailProvider, unsubscribe_headers
from .outbox import OutboxProvider
from .twilio import TwilioProvider


def provider_for(channel: str) -> Provider:
    """The provider that sends `channel` for the current business."""
    from ..models import ProviderKind
    from ..services.settings import messaging_settings, provider_secret

    if channel == "email":
        from django.conf import settings

        if settings.MESSAGING_EMAIL_PROVIDER == "outbox":
            return OutboxProvider()
        return EmailProvider()
    row = messaging_settings()
    kind = row.voice_provider if channel == "voice" else row.sms_provider
    if kind == ProviderKind.TWILIO:
        from .twilio import status_callback_url

        return TwilioProvider(
            account_sid=row.provider_account,
            auth_token=provider_secret(row),
            from_number=row.provider_from_number,
            status_callback=status_callback_url(),
        )
    return OutboxProvider()


__all__ = [
    "EmailProvider",
    "OutboxProvider",
    "Provider",
    "SendResult",
    "TwilioProvider",
    "provider_for",
    "unsubscribe_headers",
]
