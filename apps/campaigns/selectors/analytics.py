"""The campaigns widget of the analytics dashboard (`campaigns.results`): what the campaigns
sent in a period achieved, against the period before, and a row per campaign.

The figures follow the messages sent in the period (a recipient row whose `sent_at` falls in
it), wherever their opens and clicks came later, so each rate compares like with like.
Rates are per message that reached an inbox as far as we know (sent minus bounced); opens
and clicks are people's only (machine opens and link scanners are counted apart, see
`services.machine_reason`)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from apps.tenants.formats import format_date_short
from cxsuite.lib.analytics import Chart, Figure, Period, Series, Table, WidgetData, rate

from ..models import Campaign, Recipient

MEASURES = ("sent", "bounced", "delivered", "opened", "clicked", "converted", "unsubscribed")


def _measures(prefix: str, within: Q) -> dict[str, Count]:
    """Filtered counts of the recipients sent within `within`, named `<prefix>_<measure>`."""
    conditions = {
        "sent": Q(),
        "bounced": Q(bounced_at__isnull=False),
        "delivered": Q(delivered_at__isnull=False),
        "opened": Q(opened_at__isnull=False),
        "clicked": Q(clicked_at__isnull=False),
        "converted": Q(converted_at__isnull=False),
        "unsubscribed": Q(unsubscribed_at__isnull=False),
    }
    return {
        f"{prefix}_{name}": Count("pk", filter=within & condition)
        for name, condition in conditions.items()
    }


def _in(period: Period) -> Q:
    return Q(sent_at__gte=period.start, sent_at__lt=period.end)


def results_widget(period: Period) -> WidgetData:
    """Campaigns sent, messages delivered, people's open and click rates, conversions,
    unsubscribes and bounces in `period` against the period before, the messages sent and
    opened each day, and a row per campaign (four queries)."""
    before = period.previous
    figures = Recipient.objects.filter(sent_at__gte=before.start, sent_at__lt=period.end).aggregate(
        **_measures("now", _in(period)), **_measures("before", _in(before))
    )
    started = Campaign.objects.filter(started_at__gte=before.start, started_at__lt=period.end)
    campaigns = started.aggregate(
        now=Count("pk", filter=Q(started_at__gte=period.start)),
        before=Count("pk", filter=Q(started_at__lt=period.start)),
    )
    now = {name: figures[f"now_{name}"] for name in MEASURES}
    then = {name: figures[f"before_{name}"] for name in MEASURES}
    if not now["sent"] and not then["sent"] and not campaigns["now"]:
        return WidgetData(empty_message=_("No campaign sent in this period."))

    def reached(counts: dict[str, int]) -> int:
        return counts["sent"] - counts["bounced"]

    headline = [
        Figure(
            key="campaigns",
            label=_("Campaigns sent"),
            value=campaigns["now"],
            previous=campaigns["before"],
        ),
        Figure(
            key="delivered",
            label=_("Messages delivered"),
            value=now["delivered"],
            previous=then["delivered"],
        ),
        Figure(
            key="open_rate",
            label=_("Open rate (people)"),
            unit="percent",
            value=rate(now["opened"], reached(now)),
            previous=rate(then["opened"], reached(then)),
        ),
        Figure(
            key="click_rate",
            label=_("Click rate"),
            unit="percent",
            value=rate(now["clicked"], reached(now)),
            previous=rate(then["clicked"], reached(then)),
        ),
        Figure(
            key="conversions",
            label=_("Conversions"),
            value=now["converted"],
            previous=then["converted"],
        ),
        Figure(
            key="unsubscribes",
            label=_("Unsubscribes"),
            value=now["unsubscribed"],
            previous=then["unsubscribed"],
            better="down",
        ),
        Figure(
            key="bounces",
            label=_("Bounces"),
            value=now["bounced"],
            previous=then["bounced"],
            better="down",
        ),
    ]
    return WidgetData(
        figures=headline,
        chart=_daily_chart(period),
        table=_campaign_table(period),
        notes=(
            _(
                "Rates are per message that reached an inbox (sent minus bounced), for the "
                "messages sent in the period; opens and clicks are people's only."
            ),
        ),
    )


def _daily_chart(period: Period) -> Chart:
    """Messages sent and people's first opens per local day of the period (one query)."""
    by_day = {
        row["day"]: row
        for row in Recipient.objects.filter(_in(period))
        .annotate(day=TruncDate("sent_at", tzinfo=period.zone))
        .values("day")
        .annotate(sent=Count("pk"), opened=Count("pk", filter=Q(opened_at__isnull=False)))
    }
    days = period.local_days()
    return Chart(
        kind="line",
        categories=[format_date_short(day) for day in days],
        series=[
            Series(label=_("Sent"), values=[by_day.get(d, {}).get("sent", 0) for d in days]),
            Series(
                label=_("Opened (people)"),
                values=[by_day.get(d, {}).get("opened", 0) for d in days],
            ),
        ],
        title=_("Campaign messages per day"),
    )


def _campaign_table(period: Period) -> Table:
    """A row per campaign with messages sent in the period, most sent first (one query)."""
    rows = (
        Recipient.objects.filter(_in(period))
        .values("campaign_id", "campaign__name")
        .annotate(**{name: counted for name, counted in _per_campaign().items()})
        .order_by("-sent", "campaign__name", "campaign_id")
    )
    return Table(
        columns=[
            _("Campaign"),
            _("Sent"),
            _("Delivered"),
            _("Bounced"),
            _("Opened (people)"),
            _("Open rate (%)"),
            _("Clicked"),
            _("Click rate (%)"),
            _("Conversions"),
            _("Unsubscribes"),
        ],
        rows=[
            [
                row["campaign__name"],
                row["sent"],
                row["delivered"],
                row["bounced"],
                row["opened"],
                rate(row["opened"], row["sent"] - row["bounced"]),
                row["clicked"],
                rate(row["clicked"], row["sent"] - row["bounced"]),
                row["converted"],
                row["unsubscribed"],
            ]
            for row in rows
        ],
    )


def _per_campaign() -> dict[str, Count]:
    return {name.removeprefix("x_"): counted for name, counted in _measures("x", Q()).items()}
