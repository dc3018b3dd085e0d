"""Email through Django's configured backend (SMTP, anymail, console or file)."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import make_msgid

from .base import Provider, SendResult


def email_sender() -> tuple[str, list[str]]:
    """From and Reply-To of the current business's e-mails: its name on the platform's
    sending address (or the sender address set under Messaging settings), so customers see
    who writes and the address passes the platform's SPF/DKIM; replies go to the business's
    own address when it has one."""
    from apps.tenants.services import tenant_current

    from ..services.settings import messaging_settings

    _platform_name, platform = parseaddr(settings.DEFAULT_FROM_EMAIL)
    address = messaging_settings().email_from or platform or settings.DEFAULT_FROM_EMAIL
    try:
        business = tenant_current()
    except Exception:  # outside a business (a script): the platform's own sender
        return settings.DEFAULT_FROM_EMAIL, []
    name = " ".join((business.name or "").split())  # no line breaks in a header
    sender = formataddr((name, address)) if name else address
    return sender, [business.email] if business.email else []


class EmailProvider(Provider):
    kind = "email"

    def __init__(self, *, sender: tuple[str, list[str]] | None = None, connection=None) -> None:
        self.sender = sender
        self.connection = connection

    @contextmanager
    def session(self) -> Iterator[EmailProvider]:
        """The sender read once and one connection of the e-mail backend for many e-mails."""
        connection = get_connection()
        try:
            connection.open()
        except OSError:  # each e-mail tries again on its own and reports its error
            connection = None
        try:
            yield EmailProvider(sender=email_sender(), connection=connection)
        finally:
            if connection is not None:
                with suppress(OSError):
                    connection.close()

    def received(self, message_ids: list[int]) -> set[int] | None:
        """Asked of the e-mail backend when it can tell (`received(message_ids)` with the
        Message-IDs); SMTP cannot."""
        backend = self.connection or get_connection()
        asking = getattr(backend, "received", None)
        if asking is None:
            return None
        by_header = {idempotency_message_id(pk): pk for pk in message_ids}
        return {by_header[header] for header in asking(list(by_header)) if header in by_header}

    @property
    def can_tell(self) -> bool:
        return hasattr(self.connection or get_connection(), "received")

    def send(self, message, *, headers=None, html=None, attachments=None) -> SendResult:
        sender, reply_to = self.sender or email_sender()
        message_id = (
            idempotency_message_id(message.pk)
            if message.pk
            else make_msgid(domain=settings.BASE_DOMAIN)
        )
        email = EmailMultiAlternatives(
            connection=self.connection,
            subject=message.subject,
            body=message.body,
            from_email=sender,
            to=[message.to],
            reply_to=reply_to,
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


def idempotency_message_id(pk: int) -> str:
    """The Message-ID of message `pk`: its idempotency key, the same on every hand-over (mail
    systems drop a second copy with a Message-ID they have seen)."""
    from apps.tenants.db import connection

    return f"<m{pk}.{connection.schema_name}@{settings.BASE_DOMAIN}>"


def unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe headers for a marketing or reminder email."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
