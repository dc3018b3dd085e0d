"""The timeline event types of messaging: a message's life from queued to answered, and the
texts customers send (see apps/contacts/catalogue.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apps.contacts.catalogue import EventType

MESSAGE = {
    "message_id": _("the message's id"),
    "channel": _("email, sms or voice"),
    "purpose": _("why it was sent (a message purpose)"),
    "purpose_label": _("the purpose in words"),
    "reason": _("why it was held back, not sent or failed"),
}
INBOUND = {
    "channel": _("the channel the reply came on"),
    "body": _("what the customer wrote"),
    "inbound_id": _("the stored reply's id"),
}
LIFE = [
    ("message.queued", _("Message sent")),
    ("message.not_sent", _("Message not sent")),
    ("message.deferred", _("Message held")),
    ("message.sent", _("Message handed to the provider")),
    ("message.delivered", _("Message delivered")),
    ("message.failed", _("Message failed")),
    ("message.opened", _("Message opened")),
    ("message.clicked", _("Link clicked")),
    ("message.replied", _("Replied")),
]


def _upper(value) -> str:
    return str(value).upper()


EVENT_TYPES = [
    *(
        EventType(
            name,
            label,
            ("· {channel}", "· {purpose_label}"),
            MESSAGE,
            # a provider's error can quote the address or the number
            personal=frozenset({"reason"}) if name == "message.failed" else frozenset(),
            link=("message_id", "messaging:message_detail", _("Open the message")),
            labels={"channel": _upper},
        )
        for name, label in LIFE
    ),
    EventType(
        "message.confirmed",
        _("Confirmed by reply"),
        ("· {channel}",),
        INBOUND,
        personal=frozenset({"body"}),
        labels={"channel": _upper},
    ),
    EventType(
        "message.received",
        _("Text received"),
        ("· {channel}",),
        INBOUND,
        personal=frozenset({"body"}),
        body="body",
        labels={"channel": _upper},
    ),
]
