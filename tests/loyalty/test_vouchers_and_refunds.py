"""Vouchers (issue, use once, cancel back to points, expiry) and refunds both ways."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.contacts.services import transaction_record
from apps.loyalty.models import EntryKind, LedgerEntry, Reward, Voucher
from apps.loyalty.services.ledger import points_earn
from apps.loyalty.services.vouchers import (
    reward_redeem,
    voucher_cancel,
    voucher_grant,
    voucher_issue,
    voucher_redeem,
    vouchers_expire_due,
)
from cxsuite.lib.errors import ConflictError
from tests.loyalty.factories import MemberFactory, RewardFactory
from tests.loyalty.helpers import assert_books_balance, program_set

pytestmark = pytest.mark.django_db


def funded(points=300, **kw):
    member = MemberFactory(**kw)
    points_earn(member=member, points=points, source="staff", idempotency_key=f"f{member.pk}")
    return member


def test_a_redemption_issues_an_unguessable_single_use_voucher(tenant, staff_member):
    member = funded()
    voucher = reward_redeem(member=member, reward=RewardFactory(), idempotency_key="r")
    assert len(voucher.code) == 12 and voucher.status == "issued"
    assert voucher.expires_at == voucher.issued_at + dt.timedelta(days=90)
    # typed with dashes and lower case at the counter
    typed = "-".join([voucher.code[:4], voucher.code[4:8], voucher.code[8:]]).lower()
    used = voucher_redeem(code=typed, staff=staff_member)
    assert used.status == "redeemed" and used.used_by == staff_member
    with pytest.raises(ConflictError):
        voucher_redeem(code=voucher.code, staff=staff_member)


def test_a_redemption_retried_with_its_key_returns_the_same_voucher(tenant):
    member = funded()
    reward = RewardFactory()
    first = reward_redeem(member=member, reward=reward, idempotency_key="same")
    again = reward_redeem(member=member, reward=reward, idempotency_key="same")
    assert first.pk == again.pk
    assert assert_books_balance(member) == 200


def test_an_expired_or_unknown_voucher_is_refused_with_the_field(tenant):
    member = funded()
    voucher = reward_redeem(member=member, reward=RewardFactory(), idempotency_key="r")
    with pytest.raises(ValidationError) as err:
        voucher_redeem(code=voucher.code, at=voucher.expires_at)
    assert "code" in err.value.message_dict
    with pytest.raises(ValidationError):
        voucher_redeem(code="NOSUCHCODE")


def test_out_of_stock_and_unavailable_rewards_are_refused(tenant):
    member = funded()
    with pytest.raises(ConflictError):
        reward_redeem(member=member, reward=RewardFactory(stock=0), idempotency_key="a")
    with pytest.raises(ValidationError):
        reward_redeem(member=member, reward=RewardFactory(active=False), idempotency_key="b")
    assert assert_books_balance(member) == 300


def test_cancelling_an_unused_voucher_puts_the_points_back_into_their_lots(tenant):
    program_set(expiry_months=6)
    member = funded()
    lot = member.lots.get()
    reward = RewardFactory(stock=5)
    voucher = reward_redeem(member=member, reward=reward, idempotency_key="r")
    voucher_cancel(voucher=voucher)
    lot.refresh_from_db()
    reward.refresh_from_db()
    assert lot.remaining == 300 and reward.stock == 5
    assert assert_books_balance(member) == 300
    with pytest.raises(ValidationError):
        voucher_cancel(voucher=voucher)


def test_an_expired_voucher_keeps_its_points_by_default_or_gives_them_back(tenant):
    member = funded()
    voucher = reward_redeem(member=member, reward=RewardFactory(), idempotency_key="r")
    vouchers_expire_due(at=voucher.expires_at)
    voucher.refresh_from_db()
    assert voucher.status == "expired" and assert_books_balance(member) == 200
    program_set(expired_voucher_points_back=True)
    other = reward_redeem(member=member, reward=RewardFactory(), idempotency_key="r2")
    vouchers_expire_due(at=other.expires_at)
    assert assert_books_balance(member) == 200


# --- refunds ----------------------------------------------------------------------------------
def purchase_with_voucher(member, deliver, amount="100.00"):
    """A purchase that both earned points and was partly paid with a reward voucher."""
    voucher = reward_redeem(
        member=member, reward=RewardFactory(cost_points=100, value=10), idempotency_key="rv"
    )
    voucher_redeem(code=voucher.code)
    tx = transaction_record(
        contact=member.contact,
        amount=amount,
        currency="EUR",
        payments=[
            {"method": "voucher", "amount": "10.00", "reference": voucher.code},
            {"method": "card", "amount": str(Decimal(amount) - 10)},
        ],
    )
    deliver()
    voucher.refresh_from_db()
    assert voucher.used_transaction_id == tx.pk
    return tx, voucher


def refund(tx, amount):
    return transaction_record(
        contact=tx.contact, amount=amount, currency="EUR", kind="refund", refund_of=tx
    )


def test_a_full_refund_reverses_the_earn_and_reopens_the_voucher(tenant, deliver):
    program_set(points_per_unit=1)
    member = funded(100)
    tx, voucher = purchase_with_voucher(member, deliver)
    assert assert_books_balance(member) == 90  # 100 - 100 + 90 earned on the card part
    refund(tx, "100.00")
    deliver()
    voucher.refresh_from_db()
    assert voucher.status == "issued" and voucher.used_transaction_id is None
    assert assert_books_balance(member) == 0
    reversal = LedgerEntry.objects.get(member=member, kind=EntryKind.REVERSE)
    assert reversal.points == -90 and reversal.shortfall == 0


def test_a_partial_refund_reverses_in_proportion_and_keeps_the_voucher_used(tenant, deliver):
    program_set(points_per_unit=1)
    member = funded(100)
    tx, voucher = purchase_with_voucher(member, deliver)
    refund(tx, "50.00")
    deliver()
    assert assert_books_balance(member) == 45
    refund(tx, "50.00")  # the rest: now in full
    deliver()
    voucher.refresh_from_db()
    assert voucher.status == "issued"
    assert assert_books_balance(member) == 0


def test_a_cancelled_voucher_then_a_refund_gives_nothing_twice(tenant, deliver):
    """The member cancelled an unused voucher (points back), then the purchase that earned
    is refunded: the reversal takes the earned points; the cancelled voucher stays so."""
    program_set(points_per_unit=1)
    member = funded(100)
    voucher = reward_redeem(member=member, reward=RewardFactory(), idempotency_key="x")
    tx = transaction_record(contact=member.contact, amount="60", currency="EUR")
    deliver()
    voucher_cancel(voucher=voucher)
    assert assert_books_balance(member) == 160
    refund(tx, "60")
    deliver()
    voucher.refresh_from_db()
    assert voucher.status == "cancelled"
    assert assert_books_balance(member) == 100


def test_a_refund_after_the_points_were_spent_goes_to_zero_and_records_the_shortfall(
    tenant, deliver
):
    program_set(points_per_unit=1, return_window_days=0)
    member = MemberFactory()
    tx = transaction_record(contact=member.contact, amount="100", currency="EUR")
    deliver()
    reward_redeem(member=member, reward=RewardFactory(cost_points=80), idempotency_key="s")
    refund(tx, "100")
    deliver()
    reversal = LedgerEntry.objects.get(member=member, kind=EntryKind.REVERSE)
    assert reversal.points == -20 and reversal.shortfall == 80
    assert assert_books_balance(member) == 0


def test_a_refund_reverses_the_referral_rewards_it_qualified(tenant, deliver):
    from apps.loyalty.services.referrals import referral_create
    from tests.contacts.factories import ContactFactory

    program_set(points_per_unit=0, referrals_enabled=True, referrer_points=50, referred_points=25)
    referrer = MemberFactory()
    friend = ContactFactory()
    referral_create(code=referrer.referral_code, referred=friend)
    tx = transaction_record(contact=friend, amount="40", currency="EUR")
    deliver()
    assert assert_books_balance(referrer) == 50
    refund(tx, "40")
    deliver()
    assert assert_books_balance(referrer) == 0
    assert assert_books_balance(friend.loyalty) == 0


def test_cashback_is_reversed_with_the_refund(tenant, deliver):
    program_set(points_enabled=False, cashback_enabled=True, cashback_percent=10)
    member = MemberFactory()
    tx = transaction_record(contact=member.contact, amount="100", currency="EUR")
    deliver()
    refund(tx, "40")
    deliver()
    member.refresh_from_db()
    assert member.wallet_balance == Decimal("6.00")


def test_voucher_codes_are_unique_across_many(tenant):
    member = funded(100000)
    reward = RewardFactory(cost_points=1)
    codes = {
        reward_redeem(member=member, reward=reward, idempotency_key=f"u{n}").code for n in range(60)
    }
    assert len(codes) == 60 == Voucher.objects.count()
    assert Reward.objects.get(pk=reward.pk).stock is None
    assert timezone.now()


def test_a_purchase_naming_an_expired_voucher_still_earns(tenant, deliver):
    program_set(points_per_unit=1)
    member = funded(100)
    voucher = reward_redeem(member=member, reward=RewardFactory(), idempotency_key="old")
    transaction_record(
        contact=member.contact,
        amount="50",
        currency="EUR",
        occurred_at=voucher.expires_at + dt.timedelta(hours=1),
        payments=[
            {"method": "voucher", "amount": "10", "reference": voucher.code},
            {"method": "card", "amount": "40"},
        ],
    )
    deliver()
    assert assert_books_balance(member) == 40


# --- vouchers granted without points (a journey's step) --------------------------------------
def test_a_granted_reward_costs_no_points_takes_its_stock_and_a_retry_returns_it(tenant):
    member = MemberFactory()
    reward = RewardFactory(name="Free polish", cost_points=500, stock=2, voucher_valid_days=14)
    at = timezone.now()
    first = voucher_grant(member=member, reward=reward, idempotency_key="journey:1:1", at=at)
    again = voucher_grant(member=member, reward=reward, idempotency_key="journey:1:1", at=at)
    assert again == first
    assert (first.source, first.label, first.points_cost) == ("gift", "Free polish", 0)
    assert first.expires_at == at + dt.timedelta(days=14)
    assert first.idempotency_key == "journey:1:1"
    reward.refresh_from_db()
    assert reward.stock == 1  # taken once
    assert assert_books_balance(member) == 0 and not LedgerEntry.objects.filter(member=member)
    # a granted voucher is used like any other
    assert voucher_redeem(code=first.code).status == "redeemed"


def test_a_granted_amount_or_percent_and_what_is_refused(tenant):
    member = MemberFactory()
    ten = voucher_grant(member=member, kind="amount_off", value="10", idempotency_key="a")
    assert (ten.kind, ten.value, ten.label, ten.reward_id) == (
        "amount_off",
        Decimal(10),
        "10.00 off",
        None,
    )
    cases = [
        ({}, "reward"),
        ({"kind": "percent_off", "value": 101}, "value"),
        ({"kind": "amount_off", "value": "abc"}, "value"),
        ({"kind": "free_service", "value": 1}, "kind"),
        ({"kind": "amount_off", "value": 5, "valid_days": 5000}, "valid_days"),
        ({"reward": RewardFactory(active=False)}, "reward"),
        ({"reward": RewardFactory(available_until=timezone.now())}, "reward"),
    ]
    for n, (values, field) in enumerate(cases):
        with pytest.raises(ValidationError) as error:
            voucher_grant(member=member, idempotency_key=f"bad{n}", **values)
        assert field in error.value.message_dict, (values, field)
    with pytest.raises(ValidationError):
        voucher_grant(member=member, idempotency_key="", kind="amount_off", value=1)
    with pytest.raises(ConflictError):  # out of stock: nothing issued
        voucher_grant(member=member, reward=RewardFactory(stock=0), idempotency_key="oos")
    assert not Voucher.objects.filter(idempotency_key="oos").exists()
    with pytest.raises(ConflictError):  # one key, another member
        voucher_grant(member=MemberFactory(), kind="amount_off", value="10", idempotency_key="a")
    assert Voucher.objects.filter(member=member).count() == 1


def test_the_key_is_unique_even_past_the_members_lock(tenant):
    """The unique constraint is what makes a grant once-only: a second insert of the key
    (a writer that did not see the first) hands back the first voucher and writes nothing."""
    from django.db import IntegrityError, transaction

    from apps.loyalty.services.vouchers import _voucher_create

    member = MemberFactory()
    first = voucher_grant(member=member, kind="amount_off", value=3, idempotency_key="k")
    again, created = _voucher_create(
        member=member,
        source="gift",
        kind="amount_off",
        label="x",
        valid_days=5,
        value=3,
        reward=None,
        points_cost=0,
        transaction_id=None,
        at=timezone.now(),
        actor=None,
        idempotency_key="k",
    )
    assert (again, created) == (first, False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.create(
            code="DUPLICATEKEY1",
            member=member,
            source="gift",
            kind="amount_off",
            label="x",
            issued_at=first.issued_at,
            expires_at=first.expires_at,
            idempotency_key="k",
        )
    assert Voucher.objects.filter(member=member).count() == 1
    # vouchers without a key (every other source) do not clash
    reward_two = [
        voucher_issue(member=member, source="staff", kind="gift", label="g", valid_days=1)
        for _ in range(2)
    ]
    assert all(v.idempotency_key is None for v in reward_two)
