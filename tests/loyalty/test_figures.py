"""The program's figures on a small data set whose answers are known: members, points
outstanding and their value, earn and redemption rates over the period, tiers, the most
redeemed rewards, referral conversion and the months; and the charts drawn from them."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.loyalty.charts import bars_svg, columns_svg
from apps.loyalty.models import Referral
from apps.loyalty.selectors.figures import home_figures, program_figures
from apps.loyalty.services.ledger import points_earn
from apps.loyalty.services.vouchers import reward_redeem, voucher_redeem
from tests.contacts.factories import ContactFactory
from tests.loyalty.factories import MemberFactory, RewardFactory, TierFactory
from tests.loyalty.helpers import program_set

pytestmark = pytest.mark.django_db
UTC = zoneinfo.ZoneInfo("UTC")


def test_figures_of_a_known_program(tenant, django_assert_max_num_queries):
    program_set(point_value=Decimal("0.05"), return_window_days=0)
    silver = TierFactory(name="Silver", threshold=100)
    TierFactory(name="Gold", threshold=10_000)
    now = timezone.now()
    ada, bob, cy = MemberFactory(), MemberFactory(), MemberFactory()
    ada.tier = silver
    ada.save()
    points_earn(
        member=ada, points=600, source="staff", idempotency_key="a1", at=now - dt.timedelta(days=10)
    )
    points_earn(
        member=bob, points=400, source="staff", idempotency_key="b1", at=now - dt.timedelta(days=5)
    )
    points_earn(
        member=cy, points=300, source="staff", idempotency_key="c1", at=now - dt.timedelta(days=200)
    )
    brush, polish = (
        RewardFactory(name="Brush", cost_points=100),
        RewardFactory(name="Polish", cost_points=200),
    )
    v1 = reward_redeem(
        member=ada, reward=brush, idempotency_key="r1", at=now - dt.timedelta(days=2)
    )
    reward_redeem(member=ada, reward=brush, idempotency_key="r2", at=now - dt.timedelta(days=2))
    reward_redeem(member=bob, reward=polish, idempotency_key="r3", at=now - dt.timedelta(days=1))
    voucher_redeem(code=v1.code, at=now - dt.timedelta(days=1))
    Referral.objects.create(referrer=ada, referred=ContactFactory(), created=now, status="rewarded")
    Referral.objects.create(referrer=ada, referred=ContactFactory(), created=now)
    Referral.objects.create(referrer=bob, referred=ContactFactory(), created=now)
    Referral.objects.create(referrer=bob, referred=ContactFactory(), created=now)
    with django_assert_max_num_queries(9):
        figures = program_figures(at=now, zone=UTC)
    assert figures.members == 3
    assert figures.outstanding == 600 + 400 + 300 - 400  # 900
    assert figures.liability == Decimal("45.00")  # 900 x 0.05
    assert figures.earned == 1000 and figures.redeemed == 400  # within 90 days
    assert figures.earners == 2 and figures.earn_rate == 67  # 2 of 3 members
    assert figures.redemption_rate == 40  # 400 of 1000
    assert figures.tiers == [("", 2), ("Silver", 1), ("Gold", 0)]
    assert figures.rewards == [("Brush", 2, 1), ("Polish", 1, 0)]
    assert (figures.referrals, figures.referrals_rewarded, figures.referral_conversion) == (
        4,
        1,
        25,
    )
    assert len(figures.months) == 6
    assert sum(e for _m, e, _r in figures.months) == 1000  # 200 days ago is before the months
    this_month = figures.months[-1]
    assert this_month[0] == now.date().replace(day=1)
    home = home_figures(at=now)
    assert home == {"members": 3, "outstanding": 900, "used_today": home["used_today"]}


def test_figures_of_an_empty_program(tenant):
    figures = program_figures(at=timezone.now(), zone=UTC)
    assert (figures.members, figures.outstanding, figures.earn_rate, figures.redemption_rate) == (
        0,
        0,
        0,
        0,
    )
    assert figures.tiers == [("", 0)]
    assert figures.rewards == [] and figures.referral_conversion == 0


def test_charts_escape_labels_and_scale_to_the_largest():
    svg = bars_svg([("<b>Gold</b>", 5), ("Silver", 10)])
    assert "&lt;b&gt;Gold" in svg and "<b>" not in svg
    assert 'aria-hidden="true"' in svg
    assert columns_svg([("Jan", 10, 5), ("Feb", 0, 0)]).count("<rect") == 4
    assert bars_svg([]) == ""
