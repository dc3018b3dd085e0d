"""What the segment builder can ask about loyalty: tier, balance, member since and whether
a member holds an unused voucher. Each compiles to a subquery on loyalty's tables, so a
segment that uses them stays one SQL query. Registered in `LoyaltyConfig.ready()`."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from apps.contacts.selectors.segment_rules import SegmentCondition

from ..models import Member, Voucher, VoucherStatus

GROUP = _("Loyalty")


def _tier(node: dict, now: dt.datetime, today: dt.date) -> Q:
    """In the tier of that name (any case), or in no tier (members only)."""
    if node["cmp"] == "none":
        return Q(pk__in=Member.objects.filter(tier__isnull=True).values("contact_id"))
    name = str(node["value"]).strip()
    return Q(pk__in=Member.objects.filter(tier__name__iexact=name).values("contact_id"))


def _balance(node: dict, now: dt.datetime, today: dt.date) -> Q:
    """Members holding more (or fewer) points than the value."""
    lookup = "balance__gt" if node["cmp"] == "gt" else "balance__lt"
    return Q(pk__in=Member.objects.filter(**{lookup: node["value"]}).values("contact_id"))


def _member_since(node: dict, now: dt.datetime, today: dt.date) -> Q:
    """Joined within the last D days, or before a date."""
    if node["cmp"] == "within_last":
        members = Member.objects.filter(member_since__gte=now - dt.timedelta(days=node["value"]))
    elif node["cmp"] == "before":
        members = Member.objects.filter(member_since__date__lt=node["value"])
    else:
        members = Member.objects.filter(member_since__date__gt=node["value"])
    return Q(pk__in=members.values("contact_id"))


def _unused_voucher(node: dict, now: dt.datetime, today: dt.date) -> Q:
    """Holds (yes) or does not hold (no) a voucher still to use."""
    open_vouchers = Exists(
        Voucher.objects.filter(
            member__contact_id=OuterRef("pk"), status=VoucherStatus.ISSUED, expires_at__gt=now
        )
    )
    return Q(open_vouchers) if node["value"] else ~Q(open_vouchers)


def loyalty_segment_conditions() -> list[SegmentCondition]:
    return [
        SegmentCondition(
            key="loyalty.tier",
            label=_("Loyalty tier"),
            group=GROUP,
            comparisons={"is": "text", "none": ""},
            compile=_tier,
            cmp_labels={"none": _("has no tier")},
        ),
        SegmentCondition(
            key="loyalty.balance",
            label=_("Points balance"),
            group=GROUP,
            comparisons={"gt": "number", "lt": "number"},
            compile=_balance,
        ),
        SegmentCondition(
            key="loyalty.member_since",
            label=_("Loyalty member since"),
            group=GROUP,
            comparisons={"within_last": "days", "before": "date", "after": "date"},
            compile=_member_since,
        ),
        SegmentCondition(
            key="loyalty.unused_voucher",
            label=_("Has an unused voucher"),
            group=GROUP,
            comparisons={"is": "boolean"},
            compile=_unused_voucher,
        ),
    ]
