"""The journeys widget of the analytics dashboard on a small known set of enrolments."""

from __future__ import annotations

import datetime as dt
import itertools

from apps.accounts.registries import analytics_widgets
from apps.journeys.models import Enrollment, EnrollmentStatus
from apps.journeys.selectors.analytics import compute
from cxsuite.lib.analytics import period_ending
from tests.helpers.clock import BERLIN, local, today

from .factories import live_journey, reachable_contact, send, wait

NOW = local(today(BERLIN), 12, 0, BERLIN)
PERIOD = period_ending("7d", now=NOW, zone=BERLIN)
keys = itertools.count()


def enrolment(journey, contact, *, days_ago: int, converted: bool = False, **values):
    at = NOW - dt.timedelta(days=days_ago)
    values.setdefault(
        "status", EnrollmentStatus.CONVERTED if converted else EnrollmentStatus.COMPLETED
    )
    return Enrollment.objects.create(
        journey=journey,
        version=journey.live_version,
        contact=contact,
        entry_key=f"order_id:{next(keys)}",
        entered_at=at,
        converted_at=at + dt.timedelta(hours=1) if converted else None,
        **values,
    )


def test_the_widget_counts_entries_goals_rate_and_lift_against_the_period_before(
    tenant, django_assert_num_queries
):
    alpha = live_journey(name="Alpha", steps=[wait("w", 60), send("s")], holdout_percent=30)
    beta = live_journey(name="Beta", steps=[send("s")])
    contact = reachable_contact()
    for converted in (True, True, True, False):  # on the path: 3 of 4 reach the goal
        enrolment(alpha, contact, days_ago=2, converted=converted)
    for converted in (True, False):  # the holdout: 1 of 2 without any step
        enrolment(alpha, contact, days_ago=3, converted=converted, status=EnrollmentStatus.HOLDOUT)
    enrolment(alpha, contact, days_ago=9, converted=True)  # the period before
    enrolment(alpha, contact, days_ago=10)
    enrolment(beta, contact, days_ago=1)
    enrolment(beta, contact, days_ago=1, converted=True, test_run=True)  # not counted
    enrolment(beta, contact, days_ago=40, converted=True)  # long before

    with django_assert_num_queries(1):
        data = compute(PERIOD)

    figures = {f.key: (f.value, f.previous) for f in data.figures}
    assert figures == {
        "started": (5, 2),
        "conversions": (3, 1),
        "conversion_rate": (60.0, 50.0),
        "lift": (25.0, None),  # 75 % on the path against 50 % held out
    }
    assert data.table is not None
    assert [list(row) for row in data.table.rows] == [
        ["Alpha", 4, 3, 75.0, 2, 25.0],
        ["Beta", 1, 0, 0.0, 0, None],
    ]
    assert data.chart is not None and list(data.chart.categories) == ["Alpha", "Beta"]


def test_nothing_in_the_period_says_so_rather_than_zero(tenant):
    data = compute(PERIOD)
    assert data.empty_message and not data.figures


def test_the_widget_is_registered_for_the_dashboard():
    widget = analytics_widgets["journeys.conversions"]
    assert widget.compute == "apps.journeys.selectors.analytics.compute"
    assert "journeys.Enrollment" in widget.invalidated_by
