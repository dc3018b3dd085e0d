"""What the business sends a customer for: each purpose's category (which consent rule applies)
and the variables its templates may use, so a template is checked when saved, not when sent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from apps.contacts.models import Contact

TRANSACTIONAL = "transactional"
MARKETING = "marketing"

# Every purpose can greet the contact, name the business and offer the unsubscribe link;
# `contact.custom.<key>` is added for each custom field the business defines (see
# `purpose_variables` in templates.py).
COMMON_VARIABLES = frozenset(
    {
        "contact.first_name",
        "contact.last_name",
        "contact.name",
        "contact.email",
        "business.name",
        "business.phone",
        "business.email",
        "business.address",
        "business.website",
        "unsubscribe_link",
    }
)


@dataclass(frozen=True)
class Purpose:
    """A reason to write to a customer; `variables` are the dotted names templates may use and
    `defaults` the templates every business starts with, by (channel, language).
    `category_for(contact=, now=)`, when given, decides the category per send (a conversation
    is transactional only while it answers the customer); `category` is then the usual one."""

    key: str
    label: str
    category: str  # "transactional" | "marketing"
    variables: frozenset[str]
    defaults: Mapping[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    category_for: Callable[..., str] | None = None

    def category_of(self, *, contact: Contact, now: dt.datetime) -> str:
        """The consent category of this purpose for one send."""
        if self.category_for is None:
            return self.category
        return self.category_for(contact=contact, now=now)


def purpose_define(
    key: str,
    label,
    category: str,
    extra: set[str] | frozenset[str] = frozenset(),
    *,
    defaults: Mapping[tuple[str, str, str], tuple[str, str]] | None = None,
    category_for: Callable[..., str] | None = None,
) -> Purpose:
    """A purpose with the common variables; its defaults picked from a table keyed by
    (purpose, channel, language)."""
    own = {(c, lang): text for (p, c, lang), text in (defaults or {}).items() if p == key}
    return Purpose(
        key=key,
        label=label,
        category=category,
        variables=COMMON_VARIABLES | frozenset(extra),
        defaults=own,
        category_for=category_for,
    )


def messaging_purposes() -> list[Purpose]:
    """Messaging's own purposes, and those of the modules still to come (surveys, vouchers,
    payment reminders, outage notices, campaigns), which move to their module when it lands."""
    from .template_defaults import DEFAULT_TEMPLATES as d

    return [
        purpose_define(
            "survey_invitation", _("Survey invitation"), TRANSACTIONAL, {"survey.link"}, defaults=d
        ),
        purpose_define(
            "voucher", _("Voucher"), MARKETING, {"voucher.code", "voucher.expires"}, defaults=d
        ),
        purpose_define(
            "payment_reminder",
            _("Payment reminder"),
            TRANSACTIONAL,
            {"invoice.amount", "invoice.due_date", "invoice.pay_link"},
            defaults=d,
        ),
        purpose_define(
            "outage_notice",
            _("Outage notice"),
            TRANSACTIONAL,
            {"outage.area", "outage.until"},
            defaults=d,
        ),
        # The one message carriers require after STOP; it must go out even though the contact
        # has just opted out of SMS.
        purpose_define(
            "sms_stop_confirmation", _("SMS unsubscribe confirmation"), TRANSACTIONAL, defaults=d
        ),
        purpose_define("campaign", _("Campaign"), MARKETING, {"link"}, defaults=d),
        # What staff write to one customer: transactional while it answers the customer's
        # own message (24 hours), marketing-like (an opt-in needed) otherwise.
        purpose_define(
            "conversation",
            _("Conversation"),
            TRANSACTIONAL,
            {"text", "subject"},
            defaults=d,
            category_for=_conversation_category,
        ),
    ]


def _conversation_category(*, contact: Contact, now: dt.datetime) -> str:
    from .conversations import conversation_category

    return conversation_category(contact=contact, now=now)
