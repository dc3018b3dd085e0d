"""The ledger's rules: earning into lots, idempotency, spending oldest first, expiry,
the counter undo and the manager's adjustment. Times come from the controlled clock."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.loyalty.models import EntryKind, FlagKind, LedgerEntry, Member, PointLot
from apps.loyalty.services.ledger import (
    entry_undo,
    member_enrol,
    points_adjust,
    points_available,
    points_earn,
    points_expire_due,
)
from apps.loyalty.services.vouchers import reward_redeem
from cxsuite.lib.errors import DomainError
from tests.contacts.factories import ContactFactory
from tests.helpers.clock import BERLIN, local, today
from tests.loyalty.factories import MemberFactory, RewardFactory
from tests.loyalty.helpers import assert_books_balance, program_set

pytestmark = pytest.mark.django_db


def earn(member, points, key, at=None, **kw):
    return points_earn(
        member=member, points=points, source="staff", idempotency_key=key, at=at, **kw
    )


def test_enrol_is_idempotent_and_gives_a_referral_code(tenant):
    contact = ContactFactory()
    first = member_enrol(contact=contact)
    assert member_enrol(contact=contact).pk == first.pk
    assert len(first.referral_code) == 8 and first.balance == 0


def test_earn_once_per_idempotency_key(tenant):
    member = MemberFactory()
    a = earn(member, 40, "k1")
    b = earn(member, 40, "k1")
    assert a.pk == b.pk
    assert assert_books_balance(member) == 40
    assert LedgerEntry.objects.filter(member=member).count() == 1


def test_balance_cannot_go_below_zero_in_the_database(tenant):
    member = MemberFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(pk=member.pk).update(balance=-1)


def test_a_lot_cannot_hold_more_than_it_earned(tenant):
    member = MemberFactory()
    earn(member, 10, "k")
    with pytest.raises(IntegrityError), transaction.atomic():
        PointLot.objects.filter(member=member).update(remaining=11)


def test_redeem_spends_the_oldest_lots_first(tenant):
    program_set(expiry_months=12)
    member = MemberFactory()
    now = timezone.now()
    old = earn(member, 60, "old", at=now - dt.timedelta(days=30))
    new = earn(member, 60, "new", at=now - dt.timedelta(days=1))
    reward_redeem(member=member, reward=RewardFactory(cost_points=80), idempotency_key="r1")
    assert old.lots.get().remaining == 0
    assert new.lots.get().remaining == 40
    assert assert_books_balance(member) == 40


def test_pending_points_cannot_be_spent_until_the_return_window_closes(tenant):
    member = MemberFactory()
    earn(member, 100, "p", pending_days=14)
    assert points_available(member) == 0
    with pytest.raises(DomainError):
        reward_redeem(member=member, reward=RewardFactory(cost_points=100), idempotency_key="r")
    later = timezone.now() + dt.timedelta(days=15)
    assert points_available(member, at=later) == 100
    reward_redeem(
        member=member, reward=RewardFactory(cost_points=100), idempotency_key="r2", at=later
    )
    assert assert_books_balance(member) == 0


def test_expiry_takes_the_due_lots_oldest_first_and_keeps_the_rest(tenant):
    program_set(expiry_months=1)
    member = MemberFactory()
    now = timezone.now()
    earn(member, 30, "a", at=now - dt.timedelta(days=70))
    earn(member, 20, "b", at=now - dt.timedelta(days=40))
    earn(member, 10, "c", at=now - dt.timedelta(days=5))
    assert points_expire_due(at=now) == 1
    assert assert_books_balance(member) == 10
    expired = LedgerEntry.objects.get(member=member, kind=EntryKind.EXPIRE)
    assert expired.points == -50 and expired.balance_after == 10
    assert points_expire_due(at=now) == 0  # nothing twice


def test_expiry_runs_at_the_business_midnight_across_a_daylight_saving_change(tenant):
    """Points earned 25 Sep 2026 in Berlin (summer time) with one month expire when 25 Oct
    (the change to winter time) ends at Berlin's midnight, 23:00 UTC, not 22:00."""
    program_set(expiry_months=1)
    member = MemberFactory()
    earned = local(dt.date(2026, 9, 25), 23, 30, BERLIN).astimezone(dt.UTC)  # 21:30 UTC
    lot = earn(member, 10, "dst", at=earned).lots.get()
    assert lot.expires_at == local(dt.date(2026, 10, 26), 0, 0, BERLIN)
    assert lot.expires_at.astimezone(dt.UTC).hour == 23
    assert points_expire_due(at=lot.expires_at - dt.timedelta(minutes=1)) == 0
    assert points_expire_due(at=lot.expires_at) == 1


def test_a_shorter_expiry_is_not_retroactive(tenant):
    program_set(expiry_months=12)
    member = MemberFactory()
    now = timezone.now()
    before = earn(member, 10, "before", at=now - dt.timedelta(days=60)).lots.get()
    program_set(expiry_months=1, version=2)
    after = earn(member, 10, "after", at=now).lots.get()
    points_expire_due(at=now)
    before.refresh_from_db()
    assert before.remaining == 10  # still its own 12 months
    assert after.program_version == 2 and before.program_version == 1
    assert after.expires_at < before.expires_at + dt.timedelta(days=400)


def test_staff_undo_their_own_last_earn_the_same_day(tenant, staff_member):
    member = MemberFactory()
    entry = earn(member, 25, "counter", staff=staff_member)
    reversal = entry_undo(entry=entry, staff=staff_member)
    assert reversal.kind == EntryKind.REVERSE and reversal.points == -25
    assert reversal.reverses_id == entry.pk
    assert assert_books_balance(member) == 0
    with pytest.raises(DomainError):
        entry_undo(entry=entry, staff=staff_member)  # not twice


def test_undo_refuses_another_staff_members_entry_an_older_one_or_yesterdays(
    tenant, staff_member, manager
):
    member = MemberFactory()
    first = earn(member, 5, "one", staff=staff_member)
    earn(member, 5, "two", staff=staff_member)
    with pytest.raises(DomainError):
        entry_undo(entry=first, staff=staff_member)  # not the last
    mine = earn(member, 5, "three", staff=manager)
    with pytest.raises(DomainError):
        entry_undo(entry=mine, staff=staff_member)  # not theirs
    tomorrow = timezone.now() + dt.timedelta(days=1, hours=1)
    with pytest.raises(DomainError):
        entry_undo(entry=mine, staff=manager, at=tomorrow)
    assert assert_books_balance(member) == 15


def test_staff_undo_their_last_redemption_cancels_the_voucher(tenant, staff_member):
    member = MemberFactory()
    earn(member, 100, "e")
    reward = RewardFactory(cost_points=100, stock=3)
    voucher = reward_redeem(member=member, reward=reward, idempotency_key="r", staff=staff_member)
    entry = voucher.entries.get(kind=EntryKind.REDEEM)
    entry_undo(entry=entry, staff=staff_member)
    voucher.refresh_from_db()
    reward.refresh_from_db()
    assert voucher.status == "cancelled" and reward.stock == 3
    assert assert_books_balance(member) == 100


def test_only_a_manager_adjusts_and_must_give_a_reason(tenant, staff_member, manager):
    member = MemberFactory()
    with pytest.raises(DomainError):
        points_adjust(member=member, points=10, reason="goodwill", staff=staff_member)
    with pytest.raises(ValidationError) as err:
        points_adjust(member=member, points=10, reason=" ", staff=manager)
    assert "reason" in err.value.message_dict
    points_adjust(member=member, points=10, reason="goodwill", staff=manager)
    with pytest.raises(ValidationError):
        points_adjust(member=member, points=-11, reason="too much", staff=manager)
    points_adjust(member=member, points=-4, reason="typo", staff=manager)
    assert assert_books_balance(member) == 6


def test_adjusting_a_contact_one_owns_is_flagged(tenant, manager):
    member = MemberFactory(contact=ContactFactory(owner=manager))
    points_adjust(member=member, points=10, reason="for me", staff=manager)
    assert member.flags.filter(kind=FlagKind.OWN_CONTACT, staff=manager).exists()


def test_many_earns_in_a_day_are_flagged(tenant):
    member = MemberFactory()
    for n in range(7):
        earn(member, 1, f"m{n}")
    assert member.flags.filter(kind=FlagKind.MANY_EARNS, day=today(BERLIN)).exists()


def test_many_earns_are_flagged_once_a_day_and_the_later_earns_ask_nothing_more(
    tenant, django_assert_num_queries
):
    member = MemberFactory()
    for n in range(6):  # the sixth raises the flag
        earn(member, 1, f"f{n}")
    flag = member.flags.get(kind=FlagKind.MANY_EARNS)
    assert flag.detail == "6 earns in 24 hours"
    with django_assert_num_queries(3):  # the lock with the program, the earn, the event
        earn(member, 1, "f6")
    assert list(member.flags.values_list("pk", "detail")) == [(flag.pk, flag.detail)]


def test_a_ledger_entry_cannot_be_changed_in_the_database(tenant):
    member = MemberFactory()
    entry = earn(member, 10, "fixed")
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(points=1000)
    LedgerEntry.objects.filter(pk=entry.pk).update(reason="")  # erasure may clear the text


def test_expiry_records_one_event_per_member_on_the_timeline(tenant):
    from apps.contacts.models import TimelineEvent

    program_set(expiry_months=1)
    members = [MemberFactory() for _ in range(3)]
    now = timezone.now()
    for m in members:
        earn(m, 5, f"x{m.pk}a", at=now - dt.timedelta(days=90))
        earn(m, 5, f"x{m.pk}b", at=now - dt.timedelta(days=80))
    assert points_expire_due(at=now) == 3
    events = TimelineEvent.objects.filter(type="loyalty.points_expired")
    assert sorted(e.properties["points"] for e in events) == [-10, -10, -10]
    assert {e.contact_id for e in events} == {m.contact_id for m in members}


def test_the_statement_lots_progress_and_reminders_read_the_ledger(tenant):
    from django.utils import timezone

    from apps.loyalty.selectors.member_page import (
        lots_open,
        member_statement,
        points_spendable,
        rewards_available,
        tier_progress,
    )
    from apps.loyalty.selectors.members import expiry_reminders_due
    from tests.loyalty.factories import TierFactory

    program_set(expiry_months=1, expiry_reminder_days=40, tiers_enabled=True)
    TierFactory(name="Silver", threshold=500)
    member = MemberFactory()
    earn(member, 100, "s1")
    earn(member, 50, "s2")
    RewardFactory(cost_points=120)
    RewardFactory(cost_points=500)
    now = timezone.now()
    member.refresh_from_db()
    assert [line.after for line in member_statement(member, at=now).lines] == [100, 150]
    assert [lot.remaining for lot in lots_open(member)] == [100, 50]
    spendable = points_spendable(member, at=now)
    affordable = [r.cost_points for r in rewards_available(at=now) if r.cost_points <= spendable]
    assert affordable == [120]
    progress = tier_progress(member, at=now)
    assert progress.next.name == "Silver" and progress.to_next == 350
    assert expiry_reminders_due() == [(member.pk, 150, lots_open(member)[0].expires_at)]
