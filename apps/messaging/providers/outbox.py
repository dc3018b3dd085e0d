"""The default provider: nothing leaves; the message row itself is the outbox entry."""

from __future__ import annotations

import uuid

from .base import Provider, SendResult


class OutboxProvider(Provider):
    """Keeps nothing of its own: a message is in the outbox once its row is recorded sent,
    so a message whose record was lost with a worker was never received (`received`), and
    handing it over again is its first hand-over. E-mails come here too when
    MESSAGING_EMAIL_PROVIDER is "outbox": their parts (subject, text, the HTML and headers
    given) are taken as they are, no MIME is built."""

    kind = "outbox"

    def send(self, message, *, headers=None, html=None, attachments=None) -> SendResult:
        return SendResult(provider_message_id=f"outbox-{uuid.uuid4().hex}", ok=True)

    def received(self, message_ids: list[int]) -> set[int] | None:
        return set()
