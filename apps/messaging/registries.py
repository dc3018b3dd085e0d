"""What other apps plug into messaging (see cxsuite/lib/registry.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from cxsuite.lib.registry import Registry

if TYPE_CHECKING:
    from .models import Message
    from .services.purposes import Purpose

Attachment = tuple[str, bytes, str]  # (filename, content, mimetype)
AttachmentBuilder = Callable[["Message"], list[Attachment]]
ConfirmHandler = Callable[..., object]
MarketingGuard = Callable[[list[str]], dict[str, str]]
HtmlBuilder = Callable[["Message"], "str | None"]
SenderName = Callable[["Message"], str]
MessageListener = Callable[..., object]


class PreferenceTopics:
    """What a module adds to the customer's preference page: topics to keep or leave.
    `topics(contact)` returns [(id, name, description, subscribed)];
    `save(*, contact, topic_ids)` keeps the ticked ones (inside the page's transaction)."""

    def topics(self, contact) -> list[tuple[int, str, str, bool]]:
        raise NotImplementedError

    def save(self, *, contact, topic_ids: list[int]) -> None:
        raise NotImplementedError


purposes: Registry[Purpose] = Registry(
    "messaging.purposes",
    "Keyed by purpose (`appointment_reminder`). A `Purpose` says why a business writes to a "
    "customer: its label, its consent category (transactional or marketing), the variables "
    "its templates may use, and the default templates every business starts with, per "
    "(channel, language).",
)
attachment_builders: Registry[AttachmentBuilder] = Registry(
    "messaging.attachment_builders",
    "Keyed by the `related_type` a module passes to `message_send` (`appointment`). "
    "`builder(message)` returns the e-mail's files as [(filename, bytes, mimetype)]; a builder "
    "that raises costs the attachment, never the e-mail.",
)
confirm_handlers: Registry[ConfirmHandler] = Registry(
    "messaging.confirm_handlers",
    "Keyed by app label. `handler(*, contact, inbound)` acts on a confirming reply (C, YES) "
    "inside the reply's transaction; a ValidationError or DomainError is logged and never "
    "loses the reply.",
)

marketing_guards: Registry[MarketingGuard] = Registry(
    "messaging.marketing_guards",
    "Keyed by app label. `guard(addresses)` gets the addresses a marketing send is about to "
    "use (lower-cased e-mails, numbers as stored) and returns {address: reason} for those no "
    "marketing message may go to (a suppression list); called once per send or batch.",
)
html_builders: Registry[HtmlBuilder] = Registry(
    "messaging.html_builders",
    "Keyed by the `related_type` a module passes to `message_send` / `message_send_batch`. "
    "`builder(message)` returns the e-mail's HTML part (or None for the plain default).",
)
sender_names: Registry[SenderName] = Registry(
    "messaging.sender_names",
    "Keyed by the `related_type` a module passes to `message_send` / `message_send_batch`. "
    "`name(message)` returns the name shown in the e-mail's From (on the business's sending "
    "address), or '' for the business's own name.",
)
preference_topics: Registry[PreferenceTopics] = Registry(
    "messaging.preference_topics",
    "Keyed by app label. Topics shown on the customer's preference page (newsletter, "
    "offers...), so a customer can cut back instead of leaving; see `PreferenceTopics`.",
)
message_listeners: Registry[MessageListener] = Registry(
    "messaging.message_listeners",
    "Keyed by app label. `listener(*, message, event, url='', user_agent='')` hears what "
    "happened to a sent message: `opened`, `clicked` (from the tracked links), `delivered`, "
    "`bounced` (permanent), `soft_bounced` (temporary), `complained`, `unsubscribed` (from the "
    "e-mail provider) and `refused` (the provider refused it for good). It runs in the "
    "transaction that records the event; one that raises is logged and never loses it.",
)

__all__ = [
    "Attachment",
    "attachment_builders",
    "confirm_handlers",
    "html_builders",
    "marketing_guards",
    "message_listeners",
    "preference_topics",
    "purposes",
    "sender_names",
]
