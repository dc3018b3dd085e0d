"""The program's figures for the owner: members, points outstanding and their money value
(the liability), earn and redemption rates, the tiers' members, the most redeemed rewards,
referral conversions, and points earned and redeemed month by month. A fixed number of
aggregate queries, whatever the number of members."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from ..models import (
    EntryKind,
    LedgerEntry,
    Member,
    Referral,
    ReferralStatus,
    Tier,
    Voucher,
    VoucherSource,
    VoucherStatus,
)

PERIOD_DAYS = 90
MONTHS = 6


@dataclass
class Figures:
    members: int = 0
    members_with_points: int = 0
    outstanding: int = 0
    point_value: Decimal = Decimal(0)
    liability: Decimal = Decimal(0)
    wallet_outstanding: Decimal = Decimal(0)
    period_days: int = PERIOD_DAYS
    earned: int = 0
    redeemed: int = 0
    expired: int = 0
    earners: int = 0
    earn_rate: int = 0  # % of members who earned in the period
    redemption_rate: int = 0  # % of the period's earned points redeemed
    tiers: list[tuple[str, int]] = field(default_factory=list)
    rewards: list[tuple[str, int, int]] = field(default_factory=list)  # name, issued, used
    referrals: int = 0
    referrals_rewarded: int = 0
    referral_conversion: int = 0
    months: list[tuple[dt.date, int, int]] = field(default_factory=list)  # month, earned, redeemed


def _percent(part: int | Decimal, whole: int | Decimal) -> int:
    return int(round(part * 100 / whole)) if whole else 0


def program_figures(*, at: dt.datetime, zone: dt.tzinfo) -> Figures:
    """The figures as of `at`; the period is the last PERIOD_DAYS days, the months are the
    last MONTHS calendar months in the business's zone (`zone`)."""
    from ..services.common import program_get

    program = program_get()
    point_value = Decimal(str(program.point_value))  # a fresh row holds the default as text
    figures = Figures(point_value=point_value)
    totals = Member.objects.aggregate(
        members=Count("pk"),
        with_points=Count("pk", filter=Q(balance__gt=0)),
        outstanding=Sum("balance"),
        wallet=Sum("wallet_balance"),
    )
    figures.members = totals["members"] or 0
    figures.members_with_points = totals["with_points"] or 0
    figures.outstanding = totals["outstanding"] or 0
    figures.wallet_outstanding = totals["wallet"] or Decimal(0)
    figures.liability = (Decimal(figures.outstanding) * point_value).quantize(Decimal("0.01"))
    since = at - dt.timedelta(days=PERIOD_DAYS)
    period = LedgerEntry.objects.filter(occurred_at__gt=since, occurred_at__lte=at).aggregate(
        earned=Sum("points", filter=Q(kind=EntryKind.EARN)),
        redeemed=Sum("points", filter=Q(kind=EntryKind.REDEEM)),
        expired=Sum("points", filter=Q(kind=EntryKind.EXPIRE)),
        earners=Count("member", filter=Q(kind=EntryKind.EARN), distinct=True),
    )
    figures.earned = period["earned"] or 0
    figures.redeemed = -(period["redeemed"] or 0)
    figures.expired = -(period["expired"] or 0)
    figures.earners = period["earners"] or 0
    figures.earn_rate = _percent(figures.earners, figures.members)
    figures.redemption_rate = _percent(figures.redeemed, figures.earned)
    by_tier: dict[int | None, int] = dict(
        Member.objects.values_list("tier").annotate(n=Count("pk")).values_list("tier", "n")
    )
    figures.tiers = [(tier.name, by_tier.get(tier.pk, 0)) for tier in Tier.objects.all()]
    if by_tier.get(None) or not figures.tiers:
        figures.tiers.insert(0, ("", by_tier.get(None, 0)))
    figures.rewards = [
        (row["label"], row["issued"], row["used"])
        for row in Voucher.objects.filter(source=VoucherSource.REWARD)
        .values("label")
        .annotate(
            issued=Count("pk", filter=~Q(status=VoucherStatus.CANCELLED)),
            used=Count("pk", filter=Q(status=VoucherStatus.REDEEMED)),
        )
        .order_by("-issued", "-used", "label")[:5]
    ]
    referrals = Referral.objects.aggregate(
        total=Count("pk"), rewarded=Count("pk", filter=Q(status=ReferralStatus.REWARDED))
    )
    figures.referrals = referrals["total"] or 0
    figures.referrals_rewarded = referrals["rewarded"] or 0
    figures.referral_conversion = _percent(figures.referrals_rewarded, figures.referrals)
    figures.months = _months(at, zone)
    return figures


def _months(at: dt.datetime, zone: dt.tzinfo) -> list[tuple[dt.date, int, int]]:
    local = at.astimezone(zone)
    first = local.date().replace(day=1)
    starts = [first]
    for _ in range(MONTHS - 1):
        starts.insert(0, (starts[0] - dt.timedelta(days=1)).replace(day=1))
    start = dt.datetime.combine(starts[0], dt.time(0), tzinfo=zone)
    rows = (
        LedgerEntry.objects.filter(
            occurred_at__gte=start,
            occurred_at__lte=at,
            kind__in=[EntryKind.EARN, EntryKind.REDEEM],
        )
        .annotate(month=TruncMonth("occurred_at", tzinfo=zone))
        .values("month")
        .annotate(
            earned=Sum("points", filter=Q(kind=EntryKind.EARN)),
            redeemed=Sum("points", filter=Q(kind=EntryKind.REDEEM)),
        )
    )
    by_month = {row["month"].date(): row for row in rows}
    return [
        (
            month,
            (by_month.get(month) or {}).get("earned") or 0,
            -((by_month.get(month) or {}).get("redeemed") or 0),
        )
        for month in starts
    ]


def home_figures(*, at: dt.datetime) -> dict:
    """The home card's three figures in two queries."""
    from ..services.common import business_zone

    totals = Member.objects.aggregate(members=Count("pk"), outstanding=Sum("balance"))
    local = at.astimezone(business_zone())
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    used_today = Voucher.objects.filter(
        status=VoucherStatus.REDEEMED, used_at__gte=midnight, used_at__lte=at
    ).count()
    return {
        "members": totals["members"] or 0,
        "outstanding": totals["outstanding"] or 0,
        "used_today": used_today,
    }
