"""The timeline event types of loyalty (see apps/contacts/catalogue.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apps.contacts.catalogue import EventType

POINTS = {
    "member_id": _("the member's account id"),
    "entry_id": _("the ledger entry's id"),
    "points": _("points (negative when taken away)"),
    "balance": _("the balance afterwards"),
    "source": _("what it came from: purchase, visit, bonus, referral, staff, api, import"),
    "reason": _("why, as written by staff"),
}
VOUCHER = {
    "member_id": _("the member's account id"),
    "voucher_id": _("the voucher's id"),
    "label": _("what the voucher is for"),
    "points": _("the points it cost"),
    "expires_at": _("when it expires (ISO 8601)"),
    "channel": _("where it was used: counter or api"),
}
TIER = {
    "member_id": _("the member's account id"),
    "tier": _("the new tier's name (empty: no tier)"),
    "previous_tier": _("the tier before"),
    "reason": _("upgrade, downgrade, merge or settings"),
}

EVENT_TYPES = [
    EventType(
        "loyalty.points_earned",
        _("Points earned"),
        ("{points} points", "· {source}", "· {reason}"),
        POINTS,
        personal=frozenset({"reason"}),
    ),
    EventType(
        "loyalty.points_redeemed",
        _("Points redeemed"),
        ("{points} points",),
        POINTS,
        personal=frozenset({"reason"}),
    ),
    EventType(
        "loyalty.points_expired",
        _("Points expired"),
        ("{points} points",),
        POINTS,
        personal=frozenset({"reason"}),
    ),
    EventType(
        "loyalty.points_adjusted",
        _("Points adjusted"),
        ("{points} points", "· {reason}"),
        POINTS,
        personal=frozenset({"reason"}),
    ),
    EventType(
        "loyalty.points_reversed",
        _("Points reversed"),
        ("{points} points", "· {reason}"),
        POINTS,
        personal=frozenset({"reason"}),
    ),
    EventType(
        "loyalty.tier_changed",
        _("Loyalty tier changed"),
        ("{previous_tier} →", "{tier}"),
        TIER,
    ),
    EventType(
        "loyalty.voucher_issued",
        _("Voucher issued"),
        ("{label}",),
        VOUCHER,
    ),
    EventType(
        "loyalty.voucher_redeemed",
        _("Voucher used"),
        ("{label}", "· {channel}"),
        VOUCHER,
    ),
    EventType(
        "loyalty.voucher_cancelled",
        _("Voucher cancelled"),
        ("{label}",),
        VOUCHER,
    ),
]
