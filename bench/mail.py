"""An e-mail backend for measuring: each message is built in full (MIME, headers, both parts,
as the SMTP backend would) and then dropped, so a bench pays for rendering without writing a
file per message or keeping them in memory."""

from __future__ import annotations

from django.core.mail.backends.base import BaseEmailBackend


class NullEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            message.message().as_bytes()
        return len(email_messages)
