"""What loyalty tells members by message: points about to expire (from the nightly run, once
per batch of lots) and a change of tier (an upgrade at once, a downgrade after the grace
period), each with the member card's link."""

import datetime as dt
import re

import pytest

from apps.loyalty.models import PointLot
from apps.loyalty.services.card import member_from_card_token
from apps.loyalty.services.ledger import points_earn
from apps.loyalty.services.nightly import loyalty_nightly
from apps.loyalty.services.notices import (
    EXPIRY_PURPOSE,
    TIER_DOWN_PURPOSE,
    TIER_UP_PURPOSE,
    expiry_reminders_send,
)
from apps.messaging.models import Message
from tests.helpers.clock import BERLIN, local
from tests.loyalty.factories import MemberFactory, TierFactory
from tests.loyalty.helpers import assert_books_balance, program_set

pytestmark = pytest.mark.django_db


def carries_card(message, member) -> bool:
    """The message holds a working link to this member's own card."""
    found = re.search(r"/card/([^/\s]+)/", message.body)
    return found is not None and member_from_card_token(token=found.group(1)) == member


def earn(member, points, key, at):
    return points_earn(member=member, points=points, source="staff", idempotency_key=key, at=at)


def test_the_expiry_reminder_goes_once_a_week_ahead_across_a_summer_time_change(tenant):
    """Points earned 25 Sep 2026 in Berlin with one month expire at the midnight ending
    25 Oct (the change to winter time); with 7 reminder days the member hears of it at the
    midnight starting 19 Oct, once, with how many points and their last day."""
    program_set(expiry_months=1, expiry_reminder_days=7)
    member = MemberFactory()
    earn(member, 10, "a", local(dt.date(2026, 9, 25), 9, 0, BERLIN))
    earn(member, 5, "b", local(dt.date(2026, 9, 25), 23, 30, BERLIN))
    later = earn(member, 7, "c", local(dt.date(2026, 9, 30), 10, 0, BERLIN))  # not yet due

    assert loyalty_nightly(now=local(dt.date(2026, 10, 18), 0, 0, BERLIN))["expiry_reminders"] == 0
    night = local(dt.date(2026, 10, 19), 0, 0, BERLIN)
    assert loyalty_nightly(now=night)["expiry_reminders"] == 1
    message = Message.objects.get(purpose=EXPIRY_PURPOSE)
    assert message.contact_id == member.contact_id and message.category == "transactional"
    assert "15 of your points expire soon" in message.body
    assert "25 Oct" in message.body or "Oct 25" in message.body
    assert carries_card(message, member)
    assert PointLot.objects.filter(member=member, reminded_at=night).count() == 2
    assert later.lots.get().reminded_at is None

    # the same night again, and the next nights: nothing twice
    assert loyalty_nightly(now=night)["expiry_reminders"] == 0
    assert loyalty_nightly(now=night + dt.timedelta(days=1))["expiry_reminders"] == 0
    assert Message.objects.filter(purpose=EXPIRY_PURPOSE).count() == 1

    # the later lot gets its own reminder when its week comes (a new batch, a new message)
    assert loyalty_nightly(now=local(dt.date(2026, 10, 24), 0, 0, BERLIN))["expiry_reminders"] == 1
    assert Message.objects.filter(purpose=EXPIRY_PURPOSE).count() == 2
    assert "7 of your points" in Message.objects.filter(purpose=EXPIRY_PURPOSE).latest("pk").body

    done = loyalty_nightly(now=local(dt.date(2026, 10, 26), 0, 0, BERLIN))
    assert done["members_expired"] == 1 and done["expiry_reminders"] == 0
    assert assert_books_balance(member) == 7


def test_no_reminder_for_lots_already_reminded_spent_or_expired(tenant):
    from django.utils import timezone

    program_set(expiry_months=1, expiry_reminder_days=30)
    now = timezone.now()
    reminded, spent, expired = MemberFactory(), MemberFactory(), MemberFactory()
    earn(reminded, 10, "r", now - dt.timedelta(days=20))
    PointLot.objects.filter(member=reminded).update(reminded_at=now - dt.timedelta(days=1))
    earn(spent, 10, "s", now - dt.timedelta(days=20))
    PointLot.objects.filter(member=spent).update(remaining=0)
    earn(expired, 10, "e", now - dt.timedelta(days=20))
    PointLot.objects.filter(member=expired).update(expires_at=now - dt.timedelta(minutes=1))
    assert expiry_reminders_send(now=now) == 0
    assert not Message.objects.filter(purpose=EXPIRY_PURPOSE).exists()


def test_an_upgrade_is_told_at_once_and_a_downgrade_only_after_the_grace_period(tenant):
    program_set(expiry_months=1, tiers_enabled=True, tier_window_months=1, tier_grace_days=7)
    TierFactory(name="Silver", threshold=50)
    member = MemberFactory()
    earn(member, 60, "up", local(dt.date(2026, 9, 25), 10, 0, BERLIN))
    up = Message.objects.get(purpose=TIER_UP_PURPOSE)
    assert "reached Silver" in up.body and carries_card(up, member)
    assert up.category == "transactional"

    midnight = local(dt.date(2026, 10, 26), 0, 0, BERLIN)
    loyalty_nightly(now=midnight)  # points gone: the grace period starts, nothing said yet
    member.refresh_from_db()
    assert member.tier is not None and member.tier_keep_until is not None
    assert not Message.objects.filter(purpose=TIER_DOWN_PURPOSE).exists()
    loyalty_nightly(now=midnight + dt.timedelta(days=6))
    assert not Message.objects.filter(purpose=TIER_DOWN_PURPOSE).exists()

    loyalty_nightly(now=midnight + dt.timedelta(days=7))
    member.refresh_from_db()
    assert member.tier is None
    down = Message.objects.get(purpose=TIER_DOWN_PURPOSE)
    assert "Silver tier has ended" in down.body and carries_card(down, member)
    loyalty_nightly(now=midnight + dt.timedelta(days=8))
    told = Message.objects.filter(purpose__in=[TIER_UP_PURPOSE, TIER_DOWN_PURPOSE])
    assert told.count() == 2
    assert Message.objects.filter(purpose="loyalty_tier_grace").count() == 1  # told ahead, once


def test_a_text_at_the_nightly_midnight_waits_for_the_end_of_the_quiet_hours(tenant):
    from apps.contacts.choices import ConsentStatus
    from apps.messaging.models import MessageStatus

    program_set(expiry_months=1, expiry_reminder_days=7)
    member = MemberFactory(contact__email="", contact__sms_consent=ConsentStatus.OPTED_IN)
    earn(member, 10, "a", local(dt.date(2026, 9, 25), 9, 0, BERLIN))
    loyalty_nightly(now=local(dt.date(2026, 10, 19), 0, 0, BERLIN))
    message = Message.objects.get(purpose=EXPIRY_PURPOSE)
    assert message.channel == "sms" and message.status == MessageStatus.DEFERRED
    assert message.scheduled_for.astimezone(BERLIN).date() == dt.date(2026, 10, 19)
    assert carries_card(message, member)


def test_a_tier_about_to_end_is_told_once_ahead_with_its_date_and_what_keeps_it(tenant):
    """The night the grace period starts, the member hears the last day they keep the tier
    and how many points keep it (the window that ends with the grace period); not again on
    the next nights, nor after earning a part of it; a member back in reach hears nothing."""
    from apps.loyalty.services.notices import TIER_GRACE_PURPOSE
    from tests.helpers.clock import clock_at

    program_set(tiers_enabled=True, tier_window_months=1, tier_grace_days=14)
    TierFactory(name="Silver", threshold=50)
    member, back = MemberFactory(contact__language="en"), MemberFactory()
    with clock_at(local(dt.date(2026, 9, 25), 10, 0, BERLIN)):
        earn(member, 60, "m-up", None)
        earn(back, 60, "b-up", None)
    with clock_at(local(dt.date(2026, 10, 25), 18, 0, BERLIN)):
        earn(back, 50, "b-again", None)  # in reach again before the window moves on

    night = local(dt.date(2026, 10, 27), 0, 0, BERLIN)
    with clock_at(night):
        done = loyalty_nightly()
    member.refresh_from_db()
    assert member.tier_keep_until == night + dt.timedelta(days=14)
    assert done["tier_warnings"] == 1
    told = Message.objects.get(purpose=TIER_GRACE_PURPOSE)
    assert told.contact_id == member.contact_id and told.category == "transactional"
    assert "Silver" in told.body and "earn 50 more points" in told.body
    assert "9 Nov" in told.body or "Nov 9" in told.body  # the last day they keep it
    assert carries_card(told, member)
    assert member.tier_warned_until == member.tier_keep_until

    with clock_at(night + dt.timedelta(days=1, hours=9)):
        earn(member, 20, "m-part", None)  # a part of it: still short, told already
    for days in (2, 3):
        with clock_at(night + dt.timedelta(days=days)):
            assert loyalty_nightly()["tier_warnings"] == 0
    assert Message.objects.filter(purpose=TIER_GRACE_PURPOSE).count() == 1
    assert not Message.objects.filter(purpose=TIER_GRACE_PURPOSE, contact=back.contact).exists()

    with clock_at(night + dt.timedelta(days=14)):  # the grace period ends: the tier goes
        loyalty_nightly()
    member.refresh_from_db()
    assert member.tier is None
    assert Message.objects.filter(purpose=TIER_DOWN_PURPOSE).count() == 1


def test_the_tier_warning_counts_what_the_window_holds_at_the_end_of_the_grace_period(tenant):
    """Points that will still be in the window when the grace period ends count towards
    keeping the tier; those that will have left it do not; and each grace period is told."""
    from apps.loyalty.services.notices import TIER_GRACE_PURPOSE, tier_grace_warnings_send
    from apps.loyalty.services.tiers import member_tier_evaluate

    program_set(tiers_enabled=True, tier_window_months=2, tier_grace_days=10)
    TierFactory(name="Gold", threshold=100)
    member = MemberFactory()
    start = local(dt.date(2026, 3, 1), 10, 0, BERLIN)
    earn(member, 90, "old", start)  # out of the window by the end of the grace period
    earn(member, 30, "late", start + dt.timedelta(days=40))  # still in it then
    member.refresh_from_db()
    assert member.tier is not None

    now = start + dt.timedelta(days=62)
    member_tier_evaluate(member=member, at=now)  # short now: the grace period starts
    member.refresh_from_db()
    assert member.tier_keep_until == now + dt.timedelta(days=10)
    assert tier_grace_warnings_send(now=now) == 1
    assert "earn 70 more points" in Message.objects.get(purpose=TIER_GRACE_PURPOSE).body
    assert tier_grace_warnings_send(now=now + dt.timedelta(days=1)) == 0

    # a later grace period (after being back in reach) is told again
    from apps.loyalty.models import Member

    Member.objects.filter(pk=member.pk).update(tier_keep_until=now + dt.timedelta(days=30))
    assert tier_grace_warnings_send(now=now + dt.timedelta(days=2)) == 1
