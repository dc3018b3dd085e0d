"""The default provider: nothing leaves; the message row itself is the outbox entry."""

from __future__ import annotations

import uuid

from .base import Provider, SendResult


class OutboxProvider(Provider):
    kind = "outbox"

    def send(self, message, *, headers=None, html=None, attachments=None) -> SendResult:
        return SendResult(provider_message_id=f"outbox-{uuid.uuid4().hex}", ok=True)
