"""Email through Django's configured backend (SMTP, anymail, console or file)."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid

from .base import Provider, SendResult


class EmailProvider(Provider):
    kind = "email"

    def send(self, message, *, headers=None, html=None, attachments=None) -> SendResult:
        from ..services.settings import messaging_settings

        sender = messaging_settings().email_from or settings.DEFAULT_FROM_EMAIL
        message_id = make_msgid(domain=settings.BASE_DOMAIN)
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body,
            from_email=sender,
            to=[message.to],
            headers={"Message-ID": message_id, **(headers or {})},
        )
        if html:
            email.attach_alternative(html, "text/html")
        for filename, content, mimetype in attachments or ():
            email.attach(filename, content, mimetype)
        try:
            email.send(fail_silently=False)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
            return SendResult(ok=False, error=str(exc)[:300], transient=False)
        except OSError as exc:  # connection refused, timeout, SMTP errors
            return SendResult(ok=False, error=str(exc)[:300], transient=True)
        status = getattr(email, "anymail_status", None)  # an e-mail provider's own id, if any
        provider_id = getattr(status, "message_id", None) or message_id.strip("<>")
        return SendResult(provider_message_id=str(provider_id), ok=True)


def unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe headers for a marketing or reminder email."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
