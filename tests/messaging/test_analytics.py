"""Messages sent and answered per channel on a small known data set, with the clock held on
the last day of a week-long period at 23:45 in Berlin (alpha's zone)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.registries import analytics_widgets
from apps.contacts.services import contact_erase
from apps.messaging.selectors.analytics import channels_widget
from cxsuite.lib.analytics import period_ending
from tests.helpers.clock import BERLIN, clock_at, local
from tests.messaging.factories import MessageFactory

pytestmark = pytest.mark.django_db

LAST = dt.date(2026, 6, 17)
FIRST = LAST - dt.timedelta(days=6)
DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _late_on_the_last_day(tenant):
    with clock_at(local(LAST, 23, 45)):
        yield


def _period():
    return period_ending("7d", now=timezone.now(), zone=BERLIN)


def _figures(data) -> dict[str, tuple]:
    return {f.key: (f.value, f.previous) for f in data.figures}


def _sent(channel: str, at: dt.datetime, **answers):
    return MessageFactory(channel=channel, status="sent", sent_at=at, **answers)


@pytest.fixture
def known_set():
    monday = local(dt.date(2026, 6, 15), 10)
    _sent("sms", monday, replied_at=monday + 2 * DAY)  # answered within a week
    _sent("sms", monday - 3 * DAY, replied_at=monday + 5 * DAY)  # answered after 8 days: no
    _sent("sms", local(LAST, 23, 30))  # 23:30 local on the last day counts
    _sent("email", monday, opened_at=monday + dt.timedelta(hours=3))
    _sent("email", monday, clicked_at=None)
    MessageFactory(channel="email", status="queued")  # not sent: not counted
    erased = _sent("sms", monday, replied_at=monday + DAY)
    contact_erase(contact=erased.contact, actor=None)  # an erased contact is not counted
    _sent("sms", local(FIRST - DAY, 23, 30), clicked_at=local(FIRST, 8))  # the period before
    with schema_context("beta"):  # another business's messages are not alpha's
        _sent("voice", monday, replied_at=monday)


def test_messages_sent_and_answered_per_channel(known_set):
    data = channels_widget(_period())
    assert _figures(data) == {
        "sent": (5, 1),
        "answered": (2, 1),
        "response_rate": (40.0, 100.0),
    }
    assert data.table is not None
    assert [list(row) for row in data.table.rows] == [
        ["Email", 2, 1, 50.0, None],
        ["SMS", 3, 1, 33.3, 100.0],
        ["Voice", 0, 0, None, None],
    ]


def test_response_rate_per_channel_is_a_bar_chart(known_set):
    chart = channels_widget(_period()).chart
    assert chart is not None and chart.kind == "bar" and chart.unit == "percent"
    assert list(chart.series[0].values) == [50.0, 33.3, None]
    assert list(chart.series[1].values) == [None, 100.0, None]


def test_nothing_sent_gives_no_rate_not_zero():
    data = channels_widget(_period())
    assert _figures(data)["response_rate"] == (None, None)
    assert data.empty_message


def test_the_channels_widget_is_one_query_whatever_the_data(
    known_set, django_assert_max_num_queries
):
    channels_widget(_period())  # the connection settles on alpha's schema first
    with django_assert_max_num_queries(1):
        channels_widget(period_ending("12m", now=timezone.now(), zone=BERLIN))


def test_messaging_registers_the_widget():
    widget = analytics_widgets["messaging.channels"]
    assert widget.compute == "apps.messaging.selectors.analytics.channels_widget"
    assert widget.invalidated_by == ("messaging.Message",)
