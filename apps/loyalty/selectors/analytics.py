"""The program's widget of the analytics dashboard: members and new members, the points
outstanding and their money value (the liability), points earned, redeemed and expired in
the period against the period before, and members per tier as a bar chart with its table.

Four aggregate queries whatever the number of members or entries: the members, the ledger
over both periods, the tiers with their members, the point's value.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from cxsuite.lib.analytics import Chart, Figure, Period, Series, Table, WidgetData, rate

from ..models import EntryKind, LedgerEntry, Member, Program, Tier

WIDGET_ID = "loyalty.program"


def compute(period: Period) -> WidgetData:
    """The figures of `period` and of the period before it."""
    before = period.previous
    members = Member.objects.aggregate(
        total=Count("pk", filter=Q(member_since__lt=period.end)),
        total_before=Count("pk", filter=Q(member_since__lt=period.start)),
        new=Count("pk", filter=Q(member_since__gte=period.start, member_since__lt=period.end)),
        new_before=Count(
            "pk", filter=Q(member_since__gte=before.start, member_since__lt=before.end)
        ),
        outstanding=Sum("balance"),
        no_tier=Count("pk", filter=Q(tier__isnull=True)),
    )
    total = members["total"] or 0
    if not total:
        return WidgetData(empty_message=_("No members yet."))
    now = Q(occurred_at__gte=period.start, occurred_at__lt=period.end)
    then = Q(occurred_at__gte=before.start, occurred_at__lt=before.end)
    moved = LedgerEntry.objects.filter(
        occurred_at__gte=before.start, occurred_at__lt=period.end
    ).aggregate(
        earned=Sum("points", filter=now & Q(kind=EntryKind.EARN)),
        earned_before=Sum("points", filter=then & Q(kind=EntryKind.EARN)),
        redeemed=Sum("points", filter=now & Q(kind=EntryKind.REDEEM)),
        redeemed_before=Sum("points", filter=then & Q(kind=EntryKind.REDEEM)),
        expired=Sum("points", filter=now & Q(kind=EntryKind.EXPIRE)),
        expired_before=Sum("points", filter=then & Q(kind=EntryKind.EXPIRE)),
    )
    tiers = list(Tier.objects.annotate(n=Count("members")).order_by("threshold", "pk"))

    outstanding = members["outstanding"] or 0
    value = Program.objects.filter(pk=1).values_list("point_value", flat=True).first()
    point_value = Decimal(str(value or 0))  # no program row yet: no money value
    figures = [
        Figure(key="members", label=_("Members"), value=total, previous=members["total_before"]),
        Figure(
            key="new_members",
            label=_("New members"),
            value=members["new"],
            previous=members["new_before"],
        ),
        Figure(
            key="outstanding",
            label=_("Points outstanding"),
            value=outstanding,
            unit="points",
            better="neither",
        ),
    ]
    if point_value > 0:
        figures.append(
            Figure(
                key="liability",
                label=_("Value of the points outstanding"),
                value=(Decimal(outstanding) * point_value).quantize(Decimal("0.01")),
                unit="money",
                better="neither",
            )
        )
    earned, redeemed = moved["earned"] or 0, -(moved["redeemed"] or 0)
    earned_before, redeemed_before = moved["earned_before"] or 0, -(moved["redeemed_before"] or 0)
    figures += [
        Figure(
            key="earned",
            label=_("Points earned"),
            value=earned,
            previous=earned_before,
            unit="points",
        ),
        Figure(
            key="redeemed",
            label=_("Points redeemed"),
            value=redeemed,
            previous=redeemed_before,
            unit="points",
        ),
        Figure(
            key="expired",
            label=_("Points expired"),
            value=-(moved["expired"] or 0),
            previous=-(moved["expired_before"] or 0),
            unit="points",
            better="down",
        ),
        Figure(
            key="redemption_rate",
            label=_("Redeemed, as a share of earned"),
            value=rate(redeemed, earned),
            previous=rate(redeemed_before, earned_before),
            unit="percent",
        ),
    ]
    rows: list[tuple[str, int]] = [(tier.name, tier.n) for tier in tiers]
    if members["no_tier"] or not rows:
        rows.insert(0, (_("No tier"), members["no_tier"] or 0))
    everyone = sum(n for _name, n in rows)
    chart = Chart(
        kind="bar",
        categories=[name for name, _n in rows],
        series=[Series(label=_("Members"), values=[n for _name, n in rows])],
        title=_("Members per tier"),
    )
    table = Table(
        columns=[_("Tier"), _("Members"), _("Share of members (%)")],
        rows=[(name, n, rate(n, everyone)) for name, n in rows],
    )
    return WidgetData(figures=figures, chart=chart, table=table)
