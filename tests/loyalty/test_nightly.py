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
