"""Races with real threads, each with its own PostgreSQL connection, against committed rows."""

from collections import Counter

from django.db.models import Sum

from apps.loyalty.models import LedgerEntry, Voucher
from apps.loyalty.services.ledger import points_earn
from apps.loyalty.services.vouchers import reward_redeem, voucher_redeem
from cxsuite.lib.errors import ConflictError, DomainError
from tests.helpers.threads import run_together
from tests.loyalty.factories import MemberFactory, RewardFactory
from tests.loyalty.helpers import assert_books_balance


def kinds(outcomes) -> Counter:
    return Counter(type(o).__name__ for o in outcomes)


def test_fifty_redemptions_at_once_for_ten_rewards_worth_of_points(committed_tenant):
    member = MemberFactory()
    for n in range(4):  # several lots, so the race also spends across lots
        points_earn(member=member, points=250, source="staff", idempotency_key=f"seed{n}")
    reward = RewardFactory(cost_points=100)

    outcomes = run_together(
        [
            lambda n=n: reward_redeem(member=member, reward=reward, idempotency_key=f"race{n}")
            for n in range(50)
        ],
        tenant=committed_tenant,
    )

    assert kinds(outcomes) == Counter({"Voucher": 10, "DomainError": 40})
    assert all(
        isinstance(o, (Voucher, DomainError)) and not isinstance(o, ConflictError) for o in outcomes
    )
    assert assert_books_balance(member) == 0
    assert Voucher.objects.filter(member=member).count() == 10
    assert LedgerEntry.objects.filter(member=member).aggregate(s=Sum("points"))["s"] == 0


def test_stock_is_respected_under_concurrency(committed_tenant):
    members = [MemberFactory() for _ in range(12)]
    for m in members:
        points_earn(member=m, points=100, source="staff", idempotency_key=f"s{m.pk}")
    reward = RewardFactory(cost_points=100, stock=3)

    outcomes = run_together(
        [
            lambda m=m: reward_redeem(member=m, reward=reward, idempotency_key=f"st{m.pk}")
            for m in members
        ],
        tenant=committed_tenant,
    )

    assert kinds(outcomes) == Counter({"Voucher": 3, "ConflictError": 9})
    reward.refresh_from_db()
    assert reward.stock == 0
    assert sum(assert_books_balance(m) for m in members) == 900


def test_one_voucher_redeemed_by_two_tills_at_once_is_accepted_once(committed_tenant):
    member = MemberFactory()
    points_earn(member=member, points=100, source="staff", idempotency_key="v")
    voucher = reward_redeem(member=member, reward=RewardFactory(), idempotency_key="vr")

    outcomes = run_together(
        [lambda: voucher_redeem(code=voucher.code, channel="counter")] * 2,
        tenant=committed_tenant,
    )

    assert kinds(outcomes) == Counter({"Voucher": 1, "ConflictError": 1})
    voucher.refresh_from_db()
    assert voucher.status == "redeemed"


def test_one_earn_key_from_twenty_threads_earns_once(committed_tenant):
    member = MemberFactory()

    outcomes = run_together(
        [lambda: points_earn(member=member, points=70, source="api", idempotency_key="pos-4711")]
        * 20,
        tenant=committed_tenant,
    )

    assert kinds(outcomes) == Counter({"LedgerEntry": 20})
    assert len({o.pk for o in outcomes}) == 1
    assert assert_books_balance(member) == 70


def test_one_earn_request_sent_by_twenty_threads_through_the_api_earns_once(committed_tenant):
    """The Idempotency-Key record is written in the earn's transaction: the other nineteen
    wait for the first to commit and replay its answer (none hears 409, none earns)."""
    from rest_framework.test import APIClient

    from apps.accounts.models import IdempotencyRecord
    from tests.conftest import api_client_for

    member = MemberFactory()
    raw = api_client_for(committed_tenant, ["read", "write"]).raw_key
    host = f"{committed_tenant.slug}.localhost"

    def post():
        client = APIClient(HTTP_HOST=host)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        response = client.post(
            f"/api/v1/loyalty/members/{member.pk}/earn/",
            {"points": 70},
            format="json",
            HTTP_IDEMPOTENCY_KEY="till-3:sale-99",
        )
        return response.status_code, response.content

    outcomes = run_together([post] * 20, tenant=committed_tenant)

    assert Counter(code for code, _body in outcomes) == Counter({201: 20})
    assert len({body for _code, body in outcomes}) == 1
    assert LedgerEntry.objects.filter(member=member).count() == 1
    assert assert_books_balance(member) == 70
    assert IdempotencyRecord.objects.filter(key="till-3:sale-99").count() == 1


def test_one_grant_key_from_ten_threads_issues_one_voucher(committed_tenant):
    from apps.loyalty.services.vouchers import voucher_grant

    member = MemberFactory()
    reward = RewardFactory(stock=5)

    outcomes = run_together(
        [lambda: voucher_grant(member=member, reward=reward, idempotency_key="journey:7:2")] * 10,
        tenant=committed_tenant,
    )

    assert kinds(outcomes) == Counter({"Voucher": 10})
    assert len({o.pk for o in outcomes}) == 1
    assert Voucher.objects.filter(member=member).count() == 1
    reward.refresh_from_db()
    assert reward.stock == 4
