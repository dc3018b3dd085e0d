"""Earning from the timeline: purchases (the earn base), visits, bonus rules, tiers."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.contacts.services import event_record, transaction_record
from apps.loyalty.models import EntryKind, LedgerEntry, Member, Tier, TierChange
from apps.loyalty.services.earning import purchase_earn_base
from apps.loyalty.services.ledger import member_enrol, points_earn
from apps.loyalty.services.tiers import member_tier_evaluate
from apps.loyalty.services.vouchers import reward_redeem
from tests.contacts.factories import ContactFactory
from tests.loyalty.factories import EarnRuleFactory, MemberFactory, RewardFactory, TierFactory
from tests.loyalty.helpers import assert_books_balance, program_set

pytestmark = pytest.mark.django_db


def buy(contact, amount, **kw):
    return transaction_record(contact=contact, amount=amount, currency="EUR", **kw)


def test_a_purchase_earns_pending_points_for_a_member(tenant, deliver):
    program_set(points_per_unit=1, return_window_days=14)
    member = MemberFactory()
    tx = buy(member.contact, "120.50")
    deliver()
    entry = LedgerEntry.objects.get(member=member, kind=EntryKind.EARN)
    assert entry.points == 120 and entry.transaction_id == tx.pk
    assert entry.lots.get().pending_until == tx.occurred_at + dt.timedelta(days=14)
    assert assert_books_balance(member) == 120
    deliver.last = 0  # the same events again: nothing more
    deliver()
    assert assert_books_balance(member) == 120


def test_a_business_without_a_program_is_left_alone(tenant, deliver):
    from apps.loyalty.models import Program
    from apps.scheduling.models import DueWork

    member = MemberFactory()
    buy(member.contact, "50")
    deliver()
    assert not Program.objects.exists()
    assert not DueWork.objects.filter(kind="loyalty.nightly").exists()
    assert assert_books_balance(member) == 0


def test_explicit_enrolment_earns_nothing_for_a_non_member(tenant, deliver):
    program_set(enrolment="explicit")
    contact = ContactFactory()
    buy(contact, "50")
    deliver()
    assert not Member.objects.filter(contact=contact).exists()


def test_enrolment_on_first_purchase(tenant, deliver):
    program_set(enrolment="first_purchase")
    contact = ContactFactory()
    buy(contact, "50")
    deliver()
    assert assert_books_balance(Member.objects.get(contact=contact)) == 50


def test_the_earn_base_leaves_out_tax_tips_vouchers_wallet_gift_cards_and_voided_lines(tenant):
    program = program_set(earn_on_tax=False, earn_on_tips=False)
    contact = ContactFactory()
    tx = buy(
        contact,
        "130.00",
        tax="10.00",
        tip="5.00",
        payments=[
            {"method": "card", "amount": "85.00"},
            {"method": "voucher", "amount": "20.00", "reference": "NOPE"},
            {"method": "wallet", "amount": "15.00"},
            {"method": "gift_card", "amount": "10.00"},
        ],
        items=[
            {"name": "Cleaning", "price": "100.00"},
            {"name": "Whitening", "price": "15.00"},
            {"name": "Rung up by mistake", "price": "40.00", "voided": True},
        ],
    )
    # 130 paid - 10 tax - 5 tip - 45 paid with credit = 70
    assert purchase_earn_base(tx, program) == Decimal("70.00")
    program = program_set(earn_on_tax=True, earn_on_tips=True)
    assert purchase_earn_base(tx, program) == Decimal("85.00")
    voided = buy(
        contact,
        "155.00",
        items=[
            {"name": "Cleaning", "price": "100.00"},
            {"name": "Rung up by mistake", "price": "55.00", "voided": True},
        ],
    )
    assert purchase_earn_base(voided, program) == Decimal("100.00")


def test_an_appointment_completed_twice_earns_once_and_a_no_show_nothing(tenant, deliver):
    program_set(points_per_visit=30)
    member = MemberFactory()
    props = {"appointment_id": 9001, "status": "completed"}
    event_record(contact=member.contact, type="appointment.completed", properties=props)
    event_record(contact=member.contact, type="appointment.completed", properties=props)
    event_record(
        contact=member.contact, type="appointment.no_show", properties={"appointment_id": 9002}
    )
    deliver()
    assert assert_books_balance(member) == 30
    member.refresh_from_db()
    assert member.visits == 1


def test_a_visit_corrected_to_a_no_show_gives_its_points_back(tenant, deliver):
    program_set(points_per_visit=30)
    member = MemberFactory()
    event_record(
        contact=member.contact, type="appointment.completed", properties={"appointment_id": 7}
    )
    event_record(
        contact=member.contact,
        type="appointment.status_corrected",
        properties={"appointment_id": 7, "previous_status": "completed", "status": "no_show"},
    )
    event_record(
        contact=member.contact, type="appointment.completed", properties={"appointment_id": 7}
    )
    deliver()
    assert assert_books_balance(member) == 0


def test_every_tenth_visit_issues_the_visit_reward(tenant, deliver):
    reward = RewardFactory(name="10 % off", kind="percent_off", value=10)
    program_set(points_per_visit=0, visit_reward_every=10, visit_reward=reward)
    member = MemberFactory()
    for n in range(10):
        event_record(
            contact=member.contact,
            type="appointment.completed",
            properties={"appointment_id": 100 + n},
        )
    deliver()
    assert member.vouchers.filter(source="visits", label="10 % off").count() == 1


def test_a_bonus_rule_earns_once_per_event(tenant, deliver):
    program_set()
    member = MemberFactory()
    rule = EarnRuleFactory(trigger="event", event_type="order.placed", points=40)
    event_record(contact=member.contact, type="order.placed", properties={})
    deliver()
    deliver.last = 0
    deliver()
    assert LedgerEntry.objects.get(member=member).rule == rule
    assert assert_books_balance(member) == 40


def test_the_first_purchase_bonus_is_given_once(tenant, deliver):
    program_set(points_per_unit=0)
    EarnRuleFactory(trigger="first_purchase", event_type="", points=100)
    member = MemberFactory()
    buy(member.contact, "10")
    buy(member.contact, "10")
    deliver()
    assert assert_books_balance(member) == 100


def test_the_tier_comes_from_points_earned_not_the_balance(tenant):
    program_set(tiers_enabled=True, tier_basis="points", tier_window_months=12)
    silver = TierFactory(name="Silver", threshold=100, earn_multiplier=Decimal("1.5"))
    member = MemberFactory()
    points_earn(member=member, points=120, source="staff", idempotency_key="e1")
    member.refresh_from_db()
    assert member.tier == silver
    reward_redeem(member=member, reward=RewardFactory(cost_points=120), idempotency_key="r")
    member = Member.objects.get(pk=member.pk)
    member_tier_evaluate(member=member)
    assert member.tier == silver and member.balance == 0


def test_the_tier_multiplier_applies_to_purchases(tenant, deliver):
    program_set(tiers_enabled=True, points_per_unit=1)
    gold = TierFactory(name="Gold", threshold=0, earn_multiplier=2)
    member = MemberFactory(tier=gold)
    buy(member.contact, "40")
    deliver()
    assert assert_books_balance(member) == 80


def test_upgrade_at_once_and_downgrade_only_after_the_grace_period(tenant):
    program_set(tiers_enabled=True, tier_window_months=1, tier_grace_days=30)
    silver = TierFactory(name="Silver", threshold=100)
    member = MemberFactory()
    now = timezone.now()
    points_earn(member=member, points=100, source="staff", idempotency_key="e", at=now)
    member.refresh_from_db()
    assert member.tier == silver
    later = now + dt.timedelta(days=40)  # the earn has left the one-month window
    member_tier_evaluate(member=member, at=later)
    assert member.tier == silver and member.tier_keep_until == later + dt.timedelta(days=30)
    member_tier_evaluate(member=member, at=later + dt.timedelta(days=29))
    assert member.tier == silver
    member_tier_evaluate(member=member, at=later + dt.timedelta(days=30))
    assert member.tier is None
    assert list(TierChange.objects.filter(member=member).values_list("reason", flat=True)) == [
        "upgrade",
        "downgrade",
    ]
    assert Tier.objects.count() == 1


def test_cashback_as_wallet_credit_and_nothing_on_what_the_wallet_paid(tenant, deliver):
    program_set(points_enabled=False, cashback_enabled=True, cashback_percent=5)
    member = MemberFactory()
    buy(member.contact, "100")
    deliver()
    member.refresh_from_db()
    assert member.wallet_balance == Decimal("5.00")
    buy(
        member.contact,
        "40",
        payments=[{"method": "wallet", "amount": "5.00"}, {"method": "card", "amount": "35"}],
    )
    deliver()
    member.refresh_from_db()
    assert member.wallet_balance == Decimal("1.75")  # 5 - 5 spent + 5 % of 35


def test_cashback_as_a_voucher(tenant, deliver):
    program_set(
        points_enabled=False, cashback_enabled=True, cashback_percent=10, cashback_form="voucher"
    )
    member = MemberFactory()
    buy(member.contact, "80")
    deliver()
    voucher = member.vouchers.get()
    assert voucher.source == "cashback" and voucher.value == Decimal("8.00")
    assert voucher.points_cost == 0


def test_enrol_of_an_erased_contact_is_refused(tenant):
    contact = ContactFactory(erased_at=timezone.now())
    with pytest.raises(ValidationError):
        member_enrol(contact=contact)
