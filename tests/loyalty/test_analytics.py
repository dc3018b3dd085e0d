"""The program's widget of the analytics dashboard: its figures on a small known data set,
the period before, members per tier, and a fixed number of queries whatever the size."""

import datetime as dt
from decimal import Decimal

import pytest

from apps.accounts.registries import analytics_widgets
from apps.loyalty.models import PointLot
from apps.loyalty.selectors.analytics import WIDGET_ID, compute
from apps.loyalty.services.ledger import points_earn, points_expire_due
from apps.loyalty.services.vouchers import reward_redeem
from cxsuite.lib.analytics import period_ending
from tests.helpers.clock import BERLIN, local
from tests.loyalty.factories import MemberFactory, RewardFactory, TierFactory
from tests.loyalty.helpers import program_set

pytestmark = pytest.mark.django_db

NOW = local(dt.date(2026, 11, 15), 12, 0, BERLIN)  # 30 days: 17 Oct to 15 Nov inclusive


def day(month: int, d: int) -> dt.datetime:
    return local(dt.date(2026, month, d), 10, 0, BERLIN)


def earn(member, points, at):
    return points_earn(
        member=member, points=points, source="staff", idempotency_key=f"{member.pk}-{at}", at=at
    )


@pytest.fixture
def program(tenant):
    program_set(point_value=Decimal("0.05"), return_window_days=0, tiers_enabled=True)
    TierFactory(name="Silver", threshold=100)
    TierFactory(name="Gold", threshold=500)
    old = MemberFactory(member_since=day(8, 1))
    last = MemberFactory(member_since=day(10, 1))  # joined in the period before
    new = MemberFactory(member_since=day(11, 1))  # joined in the period
    earn(old, 200, day(9, 20))
    earn(last, 120, day(10, 5))
    earn(old, 50, day(11, 2))
    earn(new, 30, day(11, 3))
    reward_redeem(
        member=old, reward=RewardFactory(cost_points=100), idempotency_key="r", at=day(11, 5)
    )
    PointLot.objects.filter(member=last).update(expires_at=day(11, 10))
    points_expire_due(at=day(11, 10) + dt.timedelta(hours=1))
    return {"old": old, "last": last, "new": new}


def figures(data) -> dict:
    return {f.key: (f.value, f.previous) for f in data.figures}


def test_the_widget_is_registered_for_the_dashboard():
    widget = analytics_widgets.get(WIDGET_ID)
    assert widget.compute == "apps.loyalty.selectors.analytics.compute"
    assert {"loyalty.Member", "loyalty.LedgerEntry"} <= set(widget.invalidated_by)


def test_the_figures_of_a_known_program(program):
    data = compute(period_ending("30d", now=NOW, zone=BERLIN))
    assert figures(data) == {
        "members": (3, 2),
        "new_members": (1, 1),
        "outstanding": (180, None),  # 250 - 100 redeemed, 120 expired, 30
        "liability": (Decimal("9.00"), None),  # at 0.05 a point
        "earned": (80, 320),
        "redeemed": (100, 0),
        "expired": (120, 0),
        "redemption_rate": (125.0, 0.0),
    }
    assert data.chart is not None and data.chart.kind == "bar"
    assert list(data.chart.categories) == ["No tier", "Silver", "Gold"]
    assert list(data.chart.series[0].values) == [1, 2, 0]  # tiers follow points earned
    assert data.table is not None
    assert [list(row) for row in data.table.rows] == [
        ["No tier", 1, 33.3],
        ["Silver", 2, 66.7],
        ["Gold", 0, 0.0],
    ]


def test_no_money_value_without_a_point_value_and_a_message_without_members(tenant):
    program_set(point_value=Decimal("0"))
    period = period_ending("7d", now=NOW, zone=BERLIN)
    assert compute(period).empty_message
    earn(MemberFactory(member_since=day(11, 14)), 10, day(11, 14))
    keys = [f.key for f in compute(period).figures]
    assert "liability" not in keys and "outstanding" in keys


def test_the_widget_takes_four_queries_whatever_the_size(program, django_assert_num_queries):
    period = period_ending("30d", now=NOW, zone=BERLIN)
    with django_assert_num_queries(4):
        compute(period)
    for n in range(20):
        earn(MemberFactory(member_since=day(11, 1)), 100 + n, day(11, 4))
    with django_assert_num_queries(4):
        data = compute(period)
    assert figures(data)["members"] == (23, 2)
