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
    assert Message.objects.filter(purpose__startswith="loyalty_tier").count() == 2


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
