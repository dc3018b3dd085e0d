"""Reads of campaigns: progress, the A/B standings, rates and the report."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from ..choices import RETRYABLE_SKIPS, RecipientStatus, SkipReason, WinnerMetric
from ..models import Campaign, Click, Recipient, Topic, Variant

MIN_PER_VARIANT = 100  # below this many sent per variant, the A/B result may be chance


def campaign_list() -> QuerySet[Campaign]:
    return Campaign.objects.all()


@dataclass(frozen=True)
class Progress:
    total: int
    settled: int  # sent, not sent (with a reason), failed or cancelled
    sent: int
    skipped: int
    waiting: int

    @property
    def percent(self) -> int:
        return round(100 * self.settled / self.total) if self.total else 0


def campaign_progress(*, campaign: Campaign) -> Progress:
    """The progress bar, counted from the per-recipient record itself (one query)."""
    counts = Recipient.objects.filter(campaign=campaign).aggregate(
        total=Count("pk"),
        sent=Count("pk", filter=Q(status__in=[RecipientStatus.SENT, RecipientStatus.DEFERRED])),
        skipped=Count(
            "pk",
            filter=Q(
                status__in=[
                    RecipientStatus.SKIPPED,
                    RecipientStatus.FAILED,
                    RecipientStatus.CANCELLED,
                ]
            ),
        ),
        waiting=Count(
            "pk",
            filter=Q(
                status__in=[RecipientStatus.PENDING, RecipientStatus.TEST, RecipientStatus.HELD]
            ),
        ),
    )
    return Progress(
        total=counts["total"],
        settled=counts["total"] - counts["waiting"],
        sent=counts["sent"],
        skipped=counts["skipped"],
        waiting=counts["waiting"],
    )


def skip_reasons(*, campaign: Campaign) -> dict[str, int]:
    """Who was left out and why, by reason code (rows still waiting are not counted: see
    `cap_held`)."""
    return dict(
        Recipient.objects.filter(campaign=campaign)
        .exclude(reason="")
        .exclude(status__in=[RecipientStatus.PENDING, RecipientStatus.TEST, RecipientStatus.HELD])
        .values("reason")
        .annotate(n=Count("pk"))
        .values_list("reason", "n")
    )


def cap_held(*, campaign: Campaign) -> int:
    """How many wait for the weekly cap to let them have it (see services._cap_defer)."""
    return Recipient.objects.filter(
        campaign=campaign, status=RecipientStatus.PENDING, reason=SkipReason.CAPPED
    ).count()


def campaign_rates(*, campaign: Campaign) -> tuple[int, float, float]:
    """(sent, bounce rate, complaint rate) of a campaign."""
    counts = Recipient.objects.filter(campaign=campaign, sent_at__isnull=False).aggregate(
        sent=Count("pk"),
        bounced=Count("pk", filter=Q(bounced_at__isnull=False)),
        complained=Count("pk", filter=Q(complained_at__isnull=False)),
    )
    sent = counts["sent"]
    if not sent:
        return 0, 0.0, 0.0
    return sent, counts["bounced"] / sent, counts["complained"] / sent


@dataclass(frozen=True)
class AbRow:
    variant: Variant
    sent: int
    score: int

    @property
    def rate(self) -> float:
        return self.score / self.sent if self.sent else 0.0


@dataclass(frozen=True)
class AbResults:
    rows: list[AbRow] = field(default_factory=list)
    too_small: bool = False
    tie: bool = False


def ab_results(*, campaign: Campaign) -> AbResults:
    """Each variant's test figures by the campaign's metric (human opens and clicks only),
    best first; a tie goes to the earlier variant (A before B). `too_small` warns when a
    variant has fewer than MIN_PER_VARIANT sent."""
    metrics: dict[str, Q] = {
        WinnerMetric.CLICKS: Q(recipients__clicked_at__isnull=False),
        WinnerMetric.CONVERSIONS: Q(recipients__converted_at__isnull=False),
    }
    metric = metrics.get(campaign.winner_metric, Q(recipients__opened_at__isnull=False))
    sent = Q(recipients__sent_at__isnull=False)
    variants = campaign.variants.annotate(
        sent_n=Count("recipients", filter=sent), score_n=Count("recipients", filter=sent & metric)
    ).order_by("label")
    rows = [AbRow(variant=v, sent=v.sent_n, score=v.score_n) for v in variants]
    ranked = sorted(rows, key=lambda r: (-r.rate, r.variant.label))
    tie = len(ranked) > 1 and ranked[0].rate == ranked[1].rate
    return AbResults(rows=ranked, too_small=any(r.sent < MIN_PER_VARIANT for r in rows), tie=tie)


def link_clicks(*, campaign: Campaign) -> list[dict]:
    """Human clicks per link, most clicked first."""
    return list(
        Click.objects.filter(recipient__campaign=campaign, machine=False)
        .values("url")
        .annotate(clicks=Count("pk"), people=Count("recipient", distinct=True))
        .order_by("-clicks", "url")
    )


def campaign_report(*, campaign: Campaign) -> dict[str, dict[str, int]]:
    """The figures per variant and channel, and in total. `cap_held` counts those the weekly
    marketing cap holds back for now: they wait for it (services._cap_defer) and are not
    counted as sent nor as "not sent" until they get it or are dropped as "capped"."""
    figures = {
        "sent": Count("pk", filter=Q(sent_at__isnull=False)),
        "delivered": Count("pk", filter=Q(delivered_at__isnull=False)),
        "bounced": Count("pk", filter=Q(bounced_at__isnull=False)),
        "opened": Count("pk", filter=Q(opened_at__isnull=False)),
        "machine_opened": Count(
            "pk", filter=Q(machine_opened_at__isnull=False, opened_at__isnull=True)
        ),
        "clicked": Count("pk", filter=Q(clicked_at__isnull=False)),
        "replied": Count("pk", filter=Q(replied_at__isnull=False)),
        "unsubscribed": Count("pk", filter=Q(unsubscribed_at__isnull=False)),
        "complained": Count("pk", filter=Q(complained_at__isnull=False)),
        "converted": Count("pk", filter=Q(converted_at__isnull=False)),
        "cap_held": Count("pk", filter=Q(status=RecipientStatus.PENDING, reason=SkipReason.CAPPED)),
    }
    rows = Recipient.objects.filter(campaign=campaign)
    report: dict[str, dict[str, int]] = {"total": rows.aggregate(**figures)}
    for row in (
        rows.values("variant__label", "channel")
        .annotate(**figures)
        .order_by("variant__label", "channel")
    ):
        key = f"{row.pop('variant__label') or '-'}:{row.pop('channel') or '-'}"
        report[key] = row
    return report


def sendable_again(*, campaign: Campaign) -> dict[str, int]:
    """How many "retry the failed" (failed_n) and "send to the rest" (rest_n) would take."""
    return Recipient.objects.filter(campaign=campaign).aggregate(
        failed_n=Count("pk", filter=Q(status=RecipientStatus.FAILED)),
        rest_n=Count(
            "pk",
            filter=Q(status=RecipientStatus.SKIPPED, reason__in=RETRYABLE_SKIPS)
            | Q(status=RecipientStatus.CANCELLED),
        ),
    )


def topic_list() -> QuerySet[Topic]:
    """The topics with how many campaigns name them and how many contacts left each."""
    return Topic.objects.annotate(
        campaigns_n=Count("campaigns", distinct=True), left_n=Count("opt_outs", distinct=True)
    ).order_by("name")
