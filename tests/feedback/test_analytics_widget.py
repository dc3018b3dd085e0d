"""The `feedback.scores` analytics widget on a small known set of answers: this period against
the one before, open and overdue cases, NPS per week, NPS and handled cases per staff member,
and a fixed number of queries."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.accounts.registries import analytics_widgets
from apps.feedback.models import Case
from apps.feedback.selectors.analytics_widget import compute
from apps.feedback.services.common import business_zone
from apps.feedback.services.responses import response_submit
from cxsuite.lib.analytics import WidgetData, period_ending
from tests.appointments.factories import StaffMemberFactory
from tests.feedback.factories import InvitationFactory, SurveyFactory
from tests.helpers.clock import local, today

pytestmark = pytest.mark.django_db


def _answer(survey, score, *, at, staff_id=None):
    invitation = InvitationFactory(
        survey=survey,
        staff_id=staff_id,
        send_at=at - dt.timedelta(hours=1),
        sent_at=at - dt.timedelta(hours=1),
        expires_at=at + dt.timedelta(days=14),
    )
    return response_submit(invitation=invitation, score=score, now=at)


def test_the_widget_is_registered():
    widget = analytics_widgets["feedback.scores"]
    assert widget.compute == "apps.feedback.selectors.analytics_widget.compute"


def test_scores_against_the_period_before_cases_weeks_and_staff(
    tenant, owner, django_assert_max_num_queries
):
    zone = business_zone()
    period = period_ending("30d", now=timezone.now(), zone=zone)
    nps, csat = SurveyFactory(kind="nps"), SurveyFactory(kind="csat")
    anna = StaffMemberFactory(name="Anna", user=owner)
    recent = local(today(zone) - dt.timedelta(days=2), 10, 0, zone)
    before = local(today(zone) - dt.timedelta(days=40), 10, 0, zone)
    for score in (10, 10, 9, 3):  # 3 promoters, 1 detractor: NPS 50
        _answer(nps, score, at=recent, staff_id=anna.pk)
    _answer(nps, None, at=recent)  # skipped: never counted
    _answer(csat, 5, at=recent)
    _answer(csat, 2, at=recent)  # CSAT 50 %
    for score in (0, 10):  # before: NPS 0
        _answer(nps, score, at=before)
    bad = Case.objects.get(response__score=3)
    # the recent one is not due yet; the one from 40 days ago is overdue
    Case.objects.filter(pk=bad.pk).update(due_at=timezone.now() + dt.timedelta(hours=5))
    Case.objects.exclude(pk=bad.pk).filter(response__score=2).update(
        status="resolved", resolved_at=recent + dt.timedelta(hours=2), owner=owner
    )

    with django_assert_max_num_queries(8):
        data = compute(period)

    assert isinstance(data, WidgetData)
    figures = {f.key: f for f in data.figures}
    assert (figures["nps"].value, figures["nps"].previous) == (50.0, 0.0)
    assert (figures["csat"].value, figures["csat"].previous) == (50.0, None)
    assert figures["effort"].value is None
    assert (figures["answers"].value, figures["answers"].previous) == (6, 2)
    assert figures["cases_open"].value == 2  # the NPS 3 and the NPS 0 from before
    assert figures["cases_overdue"].value == 1
    assert data.chart.kind == "line"
    assert len(data.chart.categories) in (5, 6)  # the weeks the 30 days touch
    assert [v for v in data.chart.series[0].values if v is not None] == [50.0]
    assert sum(row[1] for row in data.table.rows) == 6
    assert data.by_staff.rows == [["Anna", 4, 50.0, 1]]


def test_no_answers_gives_none_not_zero(tenant, owner):
    period = period_ending("7d", now=timezone.now(), zone=business_zone())
    data = compute(period)
    figures = {f.key: f for f in data.figures}
    assert figures["nps"].value is None and figures["nps"].previous is None
    assert figures["answers"].value == 0
    assert data.empty_message
    assert data.by_staff.rows == []
