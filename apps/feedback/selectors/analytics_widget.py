"""The feedback widget of the analytics dashboard (`feedback.scores`): NPS, CSAT and effort of
the period against the period before, answers, open and overdue cases, NPS per week, and NPS
and handled cases per staff member. Scores are read from the daily roll-up (`ScoreDay`), so
the widget costs the same few queries whatever the number of responses."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from cxsuite.lib.analytics import Chart, Figure, Period, Series, Table, WidgetData

from ..models import OPEN_STATUSES, Case, CaseStatus, ScoreDay
from .figures import roll_up_sums, scores_from


def _week_starts(period: Period) -> list[dt.date]:
    first = period.start.date()
    monday = first - dt.timedelta(days=first.weekday())
    weeks = []
    while monday < period.end.date():
        weeks.append(monday)
        monday += dt.timedelta(days=7)
    return weeks


def compute(period: Period) -> WidgetData:
    """The widget's figures for `period` (and the one before it)."""
    from apps.appointments.selectors.setup import staff_list
    from apps.tenants.formats import format_date_short

    previous = period.previous
    first, last = period.start.date(), period.end.date()
    rows = ScoreDay.objects.filter(day__gte=previous.start.date(), day__lt=last, answers__gt=0)
    agg = rows.aggregate(
        **roll_up_sums(Q(day__gte=first), prefix="now_"),
        **roll_up_sums(Q(day__lt=first), prefix="before_"),
    )
    now_scores = scores_from(agg, prefix="now_")
    before_scores = scores_from(agg, prefix="before_")
    answers, answers_before = agg["now_n"] or 0, agg["before_n"] or 0

    now = timezone.now()
    cases = Case.objects.aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_at__lt=now)),
    )

    weekly = {
        row["week"]: row
        for row in rows.filter(day__gte=first)
        .annotate(week=TruncWeek("day"))
        .values("week")
        .annotate(**roll_up_sums())
    }
    weeks = _week_starts(period)
    week_scores = [scores_from(weekly.get(week, {})) for week in weeks]
    labels = [format_date_short(week) for week in weeks]
    chart = Chart(
        kind="line",
        categories=labels,
        series=[Series(label=_("NPS"), values=[s[0] for s in week_scores])],
        unit="score",
        title=_("NPS per week"),
    )
    table = Table(
        columns=[_("Week of"), _("Answers"), _("NPS"), _("CSAT (%)"), _("Effort")],
        rows=[
            [label, int((weekly.get(week) or {}).get("n") or 0), *scores]
            for label, week, scores in zip(labels, weeks, week_scores, strict=True)
        ],
    )

    by_staff_scores = {
        row["staff_id"]: row
        for row in rows.filter(day__gte=first).values("staff_id").annotate(**roll_up_sums())
        if row["staff_id"]
    }
    handled = dict(
        Case.objects.filter(
            status=CaseStatus.RESOLVED,
            resolved_at__gte=period.start,
            resolved_at__lt=period.end,
            owner__isnull=False,
        )
        .values("owner_id")
        .annotate(n=Count("pk"))
        .values_list("owner_id", "n")
    )
    staff_rows = []
    for staff_id, name, user_id in staff_list().values_list("pk", "name", "user_id"):
        scored = by_staff_scores.get(staff_id)
        cases_handled = handled.get(user_id, 0) if user_id else 0
        if scored is None and not cases_handled:
            continue
        nps = scores_from(scored)[0] if scored else None
        staff_rows.append([name, int((scored or {}).get("n") or 0), nps, cases_handled])
    by_staff = Table(
        columns=[_("Staff member"), _("Answers"), _("NPS"), _("Cases handled")],
        rows=staff_rows,
    )

    figures = [
        Figure(
            key="nps", label=_("NPS"), value=now_scores[0], previous=before_scores[0], unit="score"
        ),
        Figure(
            key="csat",
            label=_("CSAT"),
            value=now_scores[1],
            previous=before_scores[1],
            unit="percent",
        ),
        Figure(
            key="effort",
            label=_("Effort (1 easy – 7 hard)"),
            value=now_scores[2],
            previous=before_scores[2],
            unit="score",
            better="down",
        ),
        Figure(key="answers", label=_("Answers"), value=answers, previous=answers_before),
        Figure(key="cases_open", label=_("Open cases"), value=cases["open"], better="down"),
        Figure(
            key="cases_overdue", label=_("Overdue cases"), value=cases["overdue"], better="down"
        ),
    ]
    return WidgetData(
        figures=figures,
        chart=chart,
        table=table,
        by_staff=by_staff,
        empty_message="" if answers or cases["open"] else _("No survey answers yet."),
    )
