"""Referral rules, the merge hook, erasure, export and the segment conditions."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.contacts.selectors.segments import rules_members
from apps.contacts.services import contacts_merge, transaction_record
from apps.contacts.services.privacy import contact_erase
from apps.loyalty.models import LedgerEntry, Member, Referral
from apps.loyalty.services.ledger import points_earn
from apps.loyalty.services.referrals import referral_create
from apps.loyalty.services.vouchers import reward_redeem
from tests.contacts.factories import ContactFactory
from tests.loyalty.factories import MemberFactory, RewardFactory, TierFactory
from tests.loyalty.helpers import assert_books_balance, program_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def referrals(tenant):
    return program_set(referrals_enabled=True, referrer_points=50, referred_points=20)


def test_a_referral_rewards_both_on_the_first_visit(referrals, deliver):
    from apps.contacts.services import event_record

    referrer = MemberFactory()
    friend = ContactFactory()
    referral_create(code=referrer.referral_code.lower(), referred=friend)
    event_record(contact=friend, type="appointment.completed", properties={"appointment_id": 5})
    event_record(contact=friend, type="appointment.completed", properties={"appointment_id": 6})
    deliver()
    assert assert_books_balance(referrer) == 50
    assert assert_books_balance(Member.objects.get(contact=friend)) == 20
    assert Referral.objects.get().status == "rewarded"


def test_self_referral_is_refused(referrals):
    me = MemberFactory()
    with pytest.raises(ValidationError) as err:
        referral_create(code=me.referral_code, referred=me.contact)
    assert "code" in err.value.message_dict


def test_a_second_referral_of_the_same_email_or_phone_is_refused(referrals):
    a, b = MemberFactory(), MemberFactory()
    friend = ContactFactory(email="friend@example.test", phone="+4915100000001")
    referral_create(code=a.referral_code, referred=friend)
    # the friend's record moves on (new details); a new record with the old ones appears
    friend.email, friend.phone = "friend.new@example.test", "+4915100000009"
    friend.save()
    same_mail = ContactFactory(email="Friend@Example.test", phone="+4915100000002")
    with pytest.raises(ValidationError):
        referral_create(code=b.referral_code, referred=same_mail)
    same_phone = ContactFactory(email="other@example.test", phone="+4915100000001")
    with pytest.raises(ValidationError):
        referral_create(code=b.referral_code, referred=same_phone)


def test_a_person_who_already_bought_or_visited_cannot_be_referred(referrals):
    referrer = MemberFactory()
    customer = ContactFactory()
    transaction_record(contact=customer, amount="10", currency="EUR")
    with pytest.raises(ValidationError):
        referral_create(code=referrer.referral_code, referred=customer)
    visited = ContactFactory()
    with pytest.raises(ValidationError):
        referral_create(code=referrer.referral_code, referred=visited, has_history=True)


def test_merge_combines_two_accounts_and_the_tier_from_the_combined_history(tenant):
    program_set(tiers_enabled=True, tier_basis="points")
    gold = TierFactory(name="Gold", threshold=150)
    one, two = MemberFactory(), MemberFactory()
    points_earn(member=one, points=100, source="staff", idempotency_key="a")
    points_earn(member=two, points=100, source="staff", idempotency_key="b")
    reward_redeem(member=two, reward=RewardFactory(cost_points=60), idempotency_key="c")
    earlier = timezone.now() - dt.timedelta(days=400)
    Member.objects.filter(pk=two.pk).update(member_since=earlier)

    contacts_merge(survivor=one.contact, others=[two.contact], actor=None)

    account = Member.objects.get()
    assert account.pk == one.pk and account.tier == gold
    assert account.member_since == earlier
    assert assert_books_balance(account) == 140
    assert account.vouchers.count() == 1


def test_merge_into_a_contact_without_an_account_moves_the_account(tenant):
    survivor = ContactFactory()
    other = MemberFactory()
    points_earn(member=other, points=10, source="staff", idempotency_key="x")
    contacts_merge(survivor=survivor, others=[other.contact], actor=None)
    assert Member.objects.get().contact == survivor


def test_erasure_keeps_the_ledger_figures_and_drops_the_personal_data(tenant, manager):
    from apps.loyalty.services.ledger import points_adjust

    member = MemberFactory()
    points_earn(member=member, points=100, source="staff", idempotency_key="e", reason="Ann's bday")
    points_adjust(member=member, points=-10, reason="Ann asked", staff=manager)
    voucher = reward_redeem(
        member=member, reward=RewardFactory(cost_points=50), idempotency_key="v"
    )
    code = voucher.code

    contact_erase(contact=member.contact, actor=manager)

    member.refresh_from_db()
    assert list(LedgerEntry.objects.filter(member=member).values_list("points", flat=True)) == [
        100,
        -10,
        -50,
    ]
    assert not LedgerEntry.objects.exclude(reason="").exists()
    assert assert_books_balance(member) == 40 and not member.active
    voucher.refresh_from_db()
    assert voucher.status == "cancelled" and voucher.code != code
    with pytest.raises(ValidationError):
        points_earn(member=member, points=1, source="staff", idempotency_key="after")


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"field": "loyalty.tier", "cmp": "is", "value": "silver"}, {"silver"}),
        ({"field": "loyalty.tier", "cmp": "none"}, {"plain"}),
        ({"field": "loyalty.balance", "cmp": "gt", "value": 50}, {"silver"}),
        ({"field": "loyalty.member_since", "cmp": "within_last", "value": 30}, {"plain"}),
        ({"field": "loyalty.unused_voucher", "cmp": "is", "value": True}, {"silver"}),
    ],
)
def test_segment_conditions(tenant, rule, expected):
    silver_tier = TierFactory(name="Silver", threshold=1000)
    silver = MemberFactory(tier=silver_tier, member_since=timezone.now() - dt.timedelta(days=90))
    plain = MemberFactory()
    points_earn(member=silver, points=200, source="staff", idempotency_key="s")
    reward_redeem(member=silver, reward=RewardFactory(cost_points=100), idempotency_key="sv")
    ContactFactory()  # not a member
    names = {silver.contact_id: "silver", plain.contact_id: "plain"}
    found = rules_members({"op": "and", "rules": [rule]})
    assert {names.get(c.pk, "other") for c in found} == expected
