"""The journeys widget of the analytics dashboard: enrolments started, goals reached and the
conversion rate in the period against the period before, the lift over the holdout where a
journey keeps one, and a row per journey; one query."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from cxsuite.lib.analytics import Chart, Figure, Period, Series, Table, WidgetData, rate

from ..models import Enrollment, EnrollmentStatus


def _within(field: str, period: Period) -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lt": period.end})


def _lift(treated: tuple[int, int], held: tuple[int, int]) -> float | None:
    """The conversion rate of those on the path minus the holdout's, in points."""
    on_path, holdout = rate(treated[1], treated[0]), rate(held[1], held[0])
    if on_path is None or holdout is None:
        return None
    return round(on_path - holdout, 1)


def compute(period: Period) -> WidgetData:
    """Entered and converted per journey in this period and the one before (test runs left
    out; the holdout counted apart: it measures the lift, it took no path)."""
    previous = period.previous
    holdout = Q(status=EnrollmentStatus.HOLDOUT)
    converted = Q(converted_at__isnull=False)
    counts = {
        "started": _within("entered_at", period) & ~holdout,
        "started_before": _within("entered_at", previous) & ~holdout,
        "reached": _within("converted_at", period) & ~holdout,
        "reached_before": _within("converted_at", previous) & ~holdout,
        "cohort": _within("entered_at", period) & ~holdout & converted,
        "cohort_before": _within("entered_at", previous) & ~holdout & converted,
        "held": _within("entered_at", period) & holdout,
        "held_converted": _within("entered_at", period) & holdout & converted,
    }
    rows = list(
        Enrollment.objects.filter(test_run=False)
        .filter(
            Q(entered_at__gte=previous.start, entered_at__lt=period.end)
            | Q(converted_at__gte=previous.start, converted_at__lt=period.end)
        )
        .values("journey_id", "journey__name")
        .annotate(**{name: Count("pk", filter=q) for name, q in counts.items()})
        .order_by("journey__name", "journey_id")
    )
    total = {name: sum(row[name] for row in rows) for name in counts}
    if not any(total.values()):
        return WidgetData(empty_message=_("Nobody entered a journey in this period."))
    with_holdout = [row for row in rows if row["held"]]
    lift = _lift(
        (sum(r["started"] for r in with_holdout), sum(r["cohort"] for r in with_holdout)),
        (sum(r["held"] for r in with_holdout), sum(r["held_converted"] for r in with_holdout)),
    )
    figures = [
        Figure(
            key="started",
            label=_("Enrolments started"),
            value=total["started"],
            previous=total["started_before"],
        ),
        Figure(
            key="conversions",
            label=_("Goals reached"),
            value=total["reached"],
            previous=total["reached_before"],
        ),
        Figure(
            key="conversion_rate",
            label=_("Conversion rate"),
            value=rate(total["cohort"], total["started"]),
            previous=rate(total["cohort_before"], total["started_before"]),
            unit="percent",
        ),
    ]
    if with_holdout:
        figures.append(
            Figure(
                key="lift",
                label=_("Lift over the holdout"),
                value=lift,
                unit="percent",
            )
        )
    shown = [row for row in rows if row["started"] or row["reached"] or row["held"]]
    table = Table(
        columns=[
            _("Journey"),
            _("Enrolments started"),
            _("Goals reached"),
            _("Conversion rate (%)"),
            _("Holdout"),
            _("Lift over the holdout (points)"),
        ],
        rows=[
            [
                row["journey__name"],
                row["started"],
                row["reached"],
                rate(row["cohort"], row["started"]),
                row["held"],
                _lift((row["started"], row["cohort"]), (row["held"], row["held_converted"]))
                if row["held"]
                else None,
            ]
            for row in shown
        ],
    )
    chart = Chart(
        kind="bar",
        categories=[row["journey__name"] for row in shown],
        series=[
            Series(label=_("Enrolments started"), values=[row["started"] for row in shown]),
            Series(label=_("Goals reached"), values=[row["reached"] for row in shown]),
        ],
        title=_("Per journey"),
    )
    notes = (
        [_("The conversion rate is the share of the period's enrolments that reached the goal.")]
        if total["started"]
        else []
    )
    return WidgetData(figures=figures, chart=chart, table=table, notes=notes)
