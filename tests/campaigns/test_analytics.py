"""The campaigns widget of the analytics dashboard, on a small data set whose figures are
known, with its query count pinned."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils.module_loading import import_string

from apps.accounts.registries import analytics_widgets
from apps.campaigns.models import Campaign, Recipient
from apps.campaigns.selectors.analytics import results_widget
from apps.tenants.formats import format_date_short
from cxsuite.lib.analytics import period_ending
from tests.campaigns.factories import MarketingContactFactory, campaign_for
from tests.helpers.clock import BERLIN, local

pytestmark = pytest.mark.django_db
NOW = local(
    dt.date(2030, 3, 10), 12, 0
)  # the 7-day period: 4 to 10 March; before: 25 Feb to 3 March


def _at(day: int, month: int = 3, hour: int = 10) -> dt.datetime:
    return local(dt.date(2030, month, day), hour, 0)


def _sent(campaign: Campaign, at: dt.datetime, **times) -> Recipient:
    contact = MarketingContactFactory()
    return Recipient.objects.create(
        campaign=campaign,
        contact=contact,
        address=contact.email.lower(),
        channel="email",
        status="sent",
        due_at=at,
        sent_at=at,
        **times,
    )


@pytest.fixture
def data(tenant):
    spring = campaign_for([], name="Spring")
    Campaign.objects.filter(pk=spring.pk).update(status="done", started_at=_at(5))
    sent = _at(5)
    later = sent + dt.timedelta(hours=2)
    _sent(spring, sent, delivered_at=later, opened_at=later, clicked_at=later, converted_at=later)
    _sent(spring, sent, delivered_at=later, machine_opened_at=sent)  # a proxy's open only
    _sent(spring, sent, bounced_at=later)
    _sent(spring, sent, delivered_at=later, unsubscribed_at=later)
    winter = campaign_for([], name="Winter")
    Campaign.objects.filter(pk=winter.pk).update(status="done", started_at=_at(27, 2))
    _sent(winter, _at(27, 2), delivered_at=_at(27, 2), opened_at=_at(28, 2))
    _sent(winter, _at(27, 2), delivered_at=_at(27, 2))
    campaign_for([], name="Draft")  # never sent: counts nowhere
    return spring


def test_the_widget_is_registered_with_its_compute_path():
    widget = analytics_widgets["campaigns.results"]
    assert import_string(widget.compute) is results_widget
    assert "campaigns.Recipient" in widget.invalidated_by


def test_figures_against_the_period_before(data, django_assert_num_queries):
    period = period_ending("7d", now=NOW, zone=BERLIN)
    with django_assert_num_queries(4):
        result = results_widget(period)
    figures = {f.key: (f.value, f.previous) for f in result.figures}
    assert figures == {
        "campaigns": (1, 1),
        "delivered": (3, 2),
        "open_rate": (33.3, 50.0),  # people's opens per message that reached an inbox
        "click_rate": (33.3, 0.0),
        "conversions": (1, 0),
        "unsubscribes": (1, 0),
        "bounces": (1, 0),
    }
    assert {f.key: f.better for f in result.figures}["bounces"] == "down"


def test_a_row_per_campaign_and_a_day_by_day_chart(data):
    result = results_widget(period_ending("7d", now=NOW, zone=BERLIN))
    assert result.table is not None
    assert [list(row) for row in result.table.rows] == [["Spring", 4, 3, 1, 1, 33.3, 1, 33.3, 1, 1]]
    assert len(result.table.columns) == len(result.table.rows[0])
    chart = result.chart
    assert chart is not None
    first, last = dt.date(2030, 3, 4), dt.date(2030, 3, 10)
    assert chart.categories == [format_date_short(first + dt.timedelta(days=n)) for n in range(7)]
    assert chart.categories[-1] == format_date_short(last)
    sent, opened = (list(series.values) for series in chart.series)
    assert sent == [0, 4, 0, 0, 0, 0, 0]
    assert opened == [0, 1, 0, 0, 0, 0, 0]


def test_a_period_without_campaigns_says_so(tenant):
    result = results_widget(period_ending("7d", now=NOW, zone=BERLIN))
    assert result.empty_message and not result.figures
