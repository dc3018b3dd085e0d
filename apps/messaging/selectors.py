"""Reads of the message log and the replies inbox: filtered, newest first, contact joined; and
what other apps may ask of the log inside their own queries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, Expression, Q, QuerySet
from django.shortcuts import get_object_or_404

from .models import InboundMessage, Message

if TYPE_CHECKING:
    from apps.contacts.models import Contact


def message_list(
    *, channel: str = "", status: str = "", contact: Contact | int | None = None, query: str = ""
) -> QuerySet[Message]:
    """Messages matching the filters, newest first, with the contact joined (no N+1)."""
    messages = Message.objects.select_related("contact").order_by("-created", "-pk")
    if channel:
        messages = messages.filter(channel=channel)
    if status:
        messages = messages.filter(status=status)
    if contact is not None:
        messages = messages.filter(contact=contact)
    query = (query or "").strip()
    if query:
        messages = messages.filter(
            Q(to__icontains=query) | Q(subject__icontains=query) | Q(purpose__icontains=query)
        )
    return messages


def message_get(pk: int) -> Message:
    """One message with its contact, or 404."""
    return get_object_or_404(Message.objects.select_related("contact"), pk=pk)


def inbound_list(unread_only: bool = False) -> QuerySet[InboundMessage]:
    """Replies customers sent, newest first, with the contact joined."""
    replies = InboundMessage.objects.select_related("contact").order_by("-received_at", "-pk")
    if unread_only:
        replies = replies.filter(read_at__isnull=True)
    return replies


def message_with_dedupe_key_exists(*, dedupe_key: str | Expression) -> Exists:
    """Whether a message with this dedupe key was written (sent, held or refused), as an
    EXISTS that another app's query can filter on; `dedupe_key` may be an expression of that
    query's row (e.g. built from OuterRef("pk")), so "not told yet" stays one query."""
    # the "not empty" condition is the unique index's own, so PostgreSQL can use that index
    return Exists(Message.objects.filter(~Q(dedupe_key=""), dedupe_key=dedupe_key))


def message_by_dedupe_key(*, dedupe_key: str) -> Message | None:
    """The message sent under a key (what became of a confirmation, for the page that says
    so), or None when none was written."""
    if not dedupe_key:
        return None
    return Message.objects.filter(dedupe_key=dedupe_key).first()


SENT_STATUSES = frozenset({"queued", "sent", "delivered", "opened", "clicked", "replied"})


def address_masked(address: str, channel: str) -> str:
    """Enough of an address for its owner to recognise it and nobody else to learn it:
    "m…@example.com", "…0134"."""
    address = (address or "").strip()
    if channel == "email":
        local, _at, domain = address.partition("@")
        return f"{local[:1]}…@{domain}" if domain else "…"
    digits = [ch for ch in address if ch.isdigit()]
    return "…" + "".join(digits[-4:]) if digits else "…"


def message_outcome(message: Message | None) -> dict:
    """What became of a message, in a form a page can say to the customer: `state` is "sent"
    (on its way or arrived), "later" (held for quiet hours) or "failed" (not sent, with the
    reason), with the channel and the masked address."""
    if message is None:
        return {"state": "failed", "channel": "", "to": "", "reason": ""}
    state = (
        "later"
        if message.status == "deferred"
        else "sent"
        if message.status in SENT_STATUSES
        else "failed"
    )
    return {
        "state": state,
        "channel": message.channel,
        "to": address_masked(message.to, message.channel),
        "reason": message.error or message.reason if state == "failed" else "",
        "when": message.scheduled_for,
    }
