"""The nightly run at the business's local midnight, through due work."""

import datetime as dt

import pytest

from apps.loyalty.services.ledger import points_earn
from apps.loyalty.services.nightly import NIGHTLY, loyalty_nightly, next_midnight
from apps.scheduling.models import DueWork
from tests.contacts.factories import ContactFactory
from tests.helpers.clock import BERLIN, clock_at, local
from tests.loyalty.factories import MemberFactory, TierFactory
from tests.loyalty.helpers import assert_books_balance, program_set

pytestmark = pytest.mark.django_db


def test_the_run_is_booked_at_the_local_midnight_across_a_summer_time_change(tenant):
    before = local(dt.date(2026, 10, 24), 12, 0, BERLIN)
    after = local(dt.date(2026, 10, 25), 12, 0, BERLIN)
    assert next_midnight(before).astimezone(dt.UTC).hour == 22  # CEST
    assert next_midnight(after).astimezone(dt.UTC).hour == 23  # CET
    assert next_midnight(after) == local(dt.date(2026, 10, 26), 0, 0, BERLIN)


def test_the_first_member_books_the_nightly_run(tenant):
    from apps.loyalty.services.ledger import member_enrol

    with clock_at(local(dt.date(2026, 3, 28), 15, 0, BERLIN)):
        member_enrol(contact=ContactFactory())
    work = DueWork.objects.get(kind=NIGHTLY)
    assert work.due_at == local(dt.date(2026, 3, 29), 0, 0, BERLIN)


def test_the_nightly_run_expires_points_and_moves_tiers_down_after_grace(tenant):
    program_set(expiry_months=1, tiers_enabled=True, tier_window_months=1, tier_grace_days=7)
    silver = TierFactory(threshold=50)
    member = MemberFactory()
    earned = local(dt.date(2026, 9, 25), 10, 0, BERLIN)
    points_earn(member=member, points=60, source="staff", idempotency_key="n", at=earned)
    member.refresh_from_db()
    assert member.tier == silver

    # the night 25 -> 26 Oct (winter time since the 25th): a minute early nothing expires
    midnight = local(dt.date(2026, 10, 26), 0, 0, BERLIN)
    assert loyalty_nightly(now=midnight - dt.timedelta(minutes=1))["members_expired"] == 0
    done = loyalty_nightly(now=midnight)
    assert done["members_expired"] == 1
    assert assert_books_balance(member) == 0
    member.refresh_from_db()
    assert member.tier == silver and member.tier_keep_until is not None  # grace starts
    loyalty_nightly(now=midnight + dt.timedelta(days=7))
    member.refresh_from_db()
    assert member.tier is None


def test_the_nightly_tier_run_counts_reversed_earns_and_ends_a_grace_when_back_in_reach(
    tenant, staff_member
):
    from django.utils import timezone

    from apps.loyalty.services.ledger import entry_undo
    from apps.loyalty.services.tiers import tiers_evaluate_all

    program_set(tiers_enabled=True, tier_window_months=12, tier_grace_days=30)
    gold = TierFactory(threshold=100)
    member = MemberFactory()
    now = timezone.now()
    points_earn(member=member, points=60, source="staff", idempotency_key="g1", at=now)
    mistake = points_earn(
        member=member, points=60, source="staff", idempotency_key="g2", at=now, staff=staff_member
    )
    member.refresh_from_db()
    assert member.tier == gold
    entry_undo(entry=mistake, staff=staff_member, at=now)  # 60 earned in the window now

    assert tiers_evaluate_all(at=now) == 1
    member.refresh_from_db()
    assert member.tier == gold and member.tier_keep_until is not None  # grace starts

    points_earn(member=member, points=50, source="staff", idempotency_key="g3", at=now)
    member.refresh_from_db()
    assert member.tier_keep_until is None  # back in reach at once
    assert tiers_evaluate_all(at=now) == 0


def _members_with_lots(now: dt.datetime, count: int) -> list:
    """Members earning 40 points 13 months ago (due) and 25 a week ago (not due); every
    third one spent 30 of the old points already, the last one has nothing due."""
    from django.db import transaction

    from apps.loyalty.models import EntryKind, EntrySource
    from apps.loyalty.services.common import member_lock
    from apps.loyalty.services.ledger import debit

    members = MemberFactory.create_batch(count)
    old = now - dt.timedelta(days=400)
    for n, member in enumerate(members):
        if n < count - 1:
            points_earn(member=member, points=40, source="staff", idempotency_key=f"o{n}", at=old)
        points_earn(
            member=member, points=25, source="staff", idempotency_key=f"r{n}", at=now - WEEK
        )
        if n % 3 == 0 and n < count - 1:
            with transaction.atomic():
                debit(
                    member_lock(member.pk),
                    30,
                    kind=EntryKind.ADJUST,
                    at=old + WEEK,
                    source=EntrySource.STAFF,
                    reason="spent",
                )
    return members


WEEK = dt.timedelta(days=7)


def test_one_expiry_run_over_many_members_keeps_every_book_and_records_one_event_each(
    tenant, django_assert_max_num_queries
):
    from django.utils import timezone

    from apps.contacts.models import TimelineEvent
    from apps.loyalty.models import EntryKind, LedgerEntry
    from apps.loyalty.services.ledger import points_expire_due

    program_set(expiry_months=12)
    now = timezone.now()
    members = _members_with_lots(now, 7)
    with django_assert_max_num_queries(8):  # set-based: the same few statements for any count
        assert points_expire_due(at=now) == 6
    for n, member in enumerate(members):
        assert assert_books_balance(member) == 25
        expired = LedgerEntry.objects.filter(member=member, kind=EntryKind.EXPIRE)
        if n == len(members) - 1:
            assert not expired.exists()
            continue
        entry = expired.get()
        assert entry.points == (-10 if n % 3 == 0 else -40) and entry.balance_after == 25
        event = TimelineEvent.objects.get(contact=member.contact, type="loyalty.points_expired")
        assert event.properties == {
            "member_id": member.pk,
            "entry_id": entry.pk,
            "points": entry.points,
            "balance": 25,
            "source": "system",
        }
        assert event.client_event_id == f"loyalty-entry-{entry.pk}"
    assert points_expire_due(at=now) == 0  # nothing twice
    assert TimelineEvent.objects.filter(type="loyalty.points_expired").count() == 6


def test_the_expiry_takes_the_members_in_chunks_each_a_transaction_of_its_own(tenant, monkeypatch):
    from django.db import IntegrityError
    from django.utils import timezone

    from apps.contacts.models import TimelineEvent
    from apps.loyalty.services import ledger

    program_set(expiry_months=12)
    now = timezone.now()
    members = _members_with_lots(now, 7)
    monkeypatch.setattr(ledger, "EXPIRY_CHUNK", 2)
    calls: list[list[int]] = []
    real_chunk = ledger._expire_chunk

    def chunk(member_ids, at, *, events):
        calls.append(list(member_ids))
        if len(calls) == 2:
            raise IntegrityError("the second chunk fails")
        return real_chunk(member_ids, at, events=events)

    monkeypatch.setattr(ledger, "_expire_chunk", chunk)
    with pytest.raises(IntegrityError):
        ledger.points_expire_due(at=now)
    done = [m for m in members if m.pk in calls[0]]
    assert [len(c) for c in calls] == [2, 2] and calls[0] == sorted(calls[0])
    for member in members:
        assert assert_books_balance(member) == (25 if member in done else member.balance)
    monkeypatch.setattr(ledger, "_expire_chunk", real_chunk)
    assert ledger.points_expire_due(at=now) == 4  # the rest, the first chunk left alone
    assert all(assert_books_balance(m) == 25 for m in members)
    assert TimelineEvent.objects.filter(type="loyalty.points_expired").count() == 6


def test_the_nightly_tier_run_on_money_spent_is_one_grouped_query(
    tenant, django_assert_max_num_queries
):
    from decimal import Decimal

    from django.utils import timezone

    from apps.contacts.models import Transaction
    from apps.loyalty.models import Member, TierBasis
    from apps.loyalty.services.tiers import tiers_evaluate_all

    program_set(
        tiers_enabled=True, tier_basis=TierBasis.SPEND, tier_window_months=12, tier_grace_days=30
    )
    silver = TierFactory(threshold=100)
    now = timezone.now()
    members = [MemberFactory(tier=silver) for _ in range(6)]
    for n, member in enumerate(members):
        bought = Transaction.objects.create(
            contact=member.contact,
            kind="purchase",
            amount=Decimal(60 + 20 * n),  # 60, 80, 100, ...
            currency="EUR",
            occurred_at=now - WEEK,
        )
        if n == 3:  # 120 bought, 30 refunded: 90, short
            Transaction.objects.create(
                contact=member.contact,
                kind="refund",
                amount=Decimal(30),
                currency="EUR",
                occurred_at=now - dt.timedelta(days=1),
                refund_of=bought,
            )
    with django_assert_max_num_queries(8):  # for any number of members
        assert tiers_evaluate_all(at=now) == 3
    short = set(Member.objects.filter(tier_keep_until__isnull=False).values_list("pk", flat=True))
    assert short == {members[0].pk, members[1].pk, members[3].pk}
    assert Member.objects.filter(tier=silver).count() == 6  # grace first, no one moved down
