"""The timeline event types of campaigns (see apps/contacts/catalogue.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apps.contacts.catalogue import EventType

CAMPAIGN = {
    "campaign_id": _("the campaign's id"),
    "campaign": _("the campaign's name"),
    "variant": _("the variant the contact got (A–D)"),
    "channel": _("email or sms"),
}

EVENT_TYPES = [
    EventType("campaign.sent", _("Campaign sent"), ("{campaign}", "· {variant}"), CAMPAIGN),
    EventType("campaign.opened", _("Campaign opened"), ("{campaign}",), CAMPAIGN),
    EventType(
        "campaign.clicked",
        _("Campaign link clicked"),
        ("{campaign}", "· {url}"),
        {**CAMPAIGN, "url": _("the link followed")},
    ),
    EventType(
        "campaign.converted",
        _("Bought or booked after a campaign"),
        ("{campaign}",),
        {**CAMPAIGN, "days": _("days from the click to the purchase or booking")},
    ),
    EventType(
        "campaign.suppressed",
        _("Address suppressed for marketing"),
        ("· {reason}",),
        {"address": _("the address suppressed"), "reason": _("why (bounces or a complaint)")},
        personal=frozenset({"address"}),
    ),
]
