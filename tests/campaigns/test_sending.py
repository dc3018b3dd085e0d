"""Sending a campaign through messaging, batch by batch, on a held clock."""

from __future__ import annotations

import contextlib
import datetime as dt
import zoneinfo
from unittest import mock

import pytest

from apps.campaigns.choices import CampaignStatus, RecipientStatus, SkipReason
from apps.campaigns.models import Recipient, Suppression
from apps.campaigns.selectors import campaign_progress, skip_reasons
from apps.campaigns.services import (
    address_digest,
    campaign_batch_send,
    campaign_pause,
    campaign_resume,
    campaign_schedule,
    campaign_start,
    campaign_throttle_set,
    local_due,
    recipient_message_event,
    topic_create,
    topic_subscriptions_set,
)
from apps.messaging.models import Message, MessageStatus
from apps.messaging.providers import SendResult
from apps.messaging.services.sending import TransientDeliveryError, message_deliver
from apps.messaging.services.settings import messaging_settings
from tests.campaigns.factories import MarketingContactFactory, campaign_for
from tests.helpers.clock import clock_at, local

pytestmark = pytest.mark.django_db
START = local(dt.date(2030, 3, 4), 10, 0).astimezone(dt.UTC)


def _started(campaign, now=START):
    campaign_schedule(campaign=campaign, now=now)
    return campaign_start(campaign=campaign, now=now)


def _send_all(campaign, now=START, rounds=20):
    for _ in range(rounds):
        if not campaign_batch_send(campaign_id=campaign.pk, now=now):
            break


def test_two_contacts_sharing_an_address_get_one_copy(tenant):
    # two contacts whose addresses reach one inbox (a "+tag", Gmail's dots)
    a = MarketingContactFactory(email="anna.smith@gmail.com")
    b = MarketingContactFactory(email="AnnaSmith+shop@gmail.com")
    c = MarketingContactFactory(email="ben@example.test")
    d = MarketingContactFactory(email="ben+news@example.test")
    e = MarketingContactFactory()
    campaign = _started(campaign_for([a, b, c, d, e]))
    _send_all(campaign)
    assert Recipient.objects.filter(campaign=campaign).count() == 3
    assert Message.objects.filter(purpose="campaign_message").count() == 3
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DONE


def test_a_batch_run_again_sends_nobody_twice(tenant):
    people = MarketingContactFactory.create_batch(5)
    campaign = _started(campaign_for(people))
    _send_all(campaign)
    assert Message.objects.filter(purpose="campaign_message").count() == 5
    # as if the rows' update had been lost after the messages were made: the run again finds
    # the messages by their dedupe keys and makes none
    Recipient.objects.filter(campaign=campaign).update(
        status=RecipientStatus.PENDING, message_id=None
    )
    campaign.status = CampaignStatus.SENDING
    campaign.save()
    _send_all(campaign)
    assert Message.objects.filter(purpose="campaign_message").count() == 5
    assert not Recipient.objects.filter(campaign=campaign, message_id__isnull=True).exists()


def test_consent_caps_and_topics_are_respected_with_reasons_counted(tenant):
    ok = MarketingContactFactory()
    no_opt_in = MarketingContactFactory(email_consent="unknown")
    capped = MarketingContactFactory()
    settings = messaging_settings()
    settings.marketing_cap_per_week = 1
    settings.save()
    with clock_at(START - dt.timedelta(days=1)):
        Message.objects.create(
            contact=capped,
            purpose="campaign_message",
            category="marketing",
            channel="email",
            to=capped.email,
            status=MessageStatus.SENT,
        )
    left = MarketingContactFactory()
    topic = topic_create(key="offers", name="Offers")
    topic_subscriptions_set(contact=left, topic_ids=[])
    # the cap lets `capped` have one again six days from now: after this campaign's deadline
    campaign = campaign_for(
        [ok, no_opt_in, capped, left], topic=topic, send_by=START + dt.timedelta(days=2)
    )
    _started(campaign)
    _send_all(campaign)
    reasons = skip_reasons(campaign=campaign)
    assert reasons == {SkipReason.NO_CONSENT: 1, SkipReason.CAPPED: 1, SkipReason.TOPIC: 1}
    assert Recipient.objects.get(campaign=campaign, contact=ok).status == RecipientStatus.SENT


def test_progress_agrees_with_the_record_through_throttle_pause_and_resume(tenant):
    people = MarketingContactFactory.create_batch(30)
    campaign = campaign_for(people, throttle_per_minute=60)  # 5 per slice of 5 s
    _started(campaign)
    now = START
    assert campaign_batch_send(campaign_id=campaign.pk, now=now) == 5
    progress = campaign_progress(campaign=campaign)
    assert (
        progress.settled
        == Recipient.objects.filter(campaign=campaign).exclude(status="pending").count()
        == 5
    )
    campaign_throttle_set(campaign=campaign, per_minute=240)  # 20 per slice
    assert campaign_batch_send(campaign_id=campaign.pk, now=now + dt.timedelta(seconds=5)) == 20
    campaign_pause(campaign=campaign)
    assert campaign_batch_send(campaign_id=campaign.pk, now=now + dt.timedelta(seconds=10)) == 0
    campaign_resume(campaign=campaign, now=now + dt.timedelta(seconds=20))
    assert campaign_batch_send(campaign_id=campaign.pk, now=now + dt.timedelta(seconds=20)) == 5
    progress = campaign_progress(campaign=campaign)
    assert (progress.total, progress.settled, progress.percent) == (30, 30, 100)
    assert Message.objects.filter(purpose="campaign_message").count() == 30
    assert Message.objects.values("contact").distinct().count() == 30


def test_one_refused_address_does_not_hold_back_its_batch_and_a_slow_down_is_retried(tenant):
    people = MarketingContactFactory.create_batch(3)
    campaign = _started(campaign_for(people))
    _send_all(campaign)
    refused, slowed = people[0].email, people[1].email
    answers = {slowed: [SendResult(ok=False, error="429 slow down", transient=True)]}

    def send(message, **kwargs):
        if message.to == refused:
            return SendResult(ok=False, error="550 no such user", transient=False)
        queue = answers.get(message.to)
        if queue:
            return queue.pop(0)
        return SendResult(provider_message_id=f"id-{message.pk}")

    provider = mock.Mock(kind="test", send=send)
    ids = list(
        Message.objects.filter(purpose="campaign_message")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    with mock.patch("apps.messaging.providers.provider_for", return_value=provider):
        for pk in ids:
            with contextlib.suppress(TransientDeliveryError):  # raised for the task to retry
                message_deliver(message_id=pk)
        assert Message.objects.get(to=slowed).status == MessageStatus.QUEUED  # kept, not failed
        message_deliver(message_id=Message.objects.get(to=slowed).pk)  # the retry
    statuses = dict(Message.objects.values_list("to", "status"))
    assert statuses[refused] == MessageStatus.FAILED
    assert statuses[slowed] == MessageStatus.SENT
    assert statuses[people[2].email] == MessageStatus.SENT
    row = Recipient.objects.get(campaign=campaign, contact=people[0])
    assert (row.status, row.reason) == (RecipientStatus.FAILED, SkipReason.BOUNCED)
    assert Suppression.objects.get(address=address_digest(refused)).reason == "hard_bounce"


def test_soft_bounces_in_a_row_suppress_and_suppressed_addresses_are_skipped(tenant):
    person = MarketingContactFactory()
    for n in range(3):
        campaign = _started(campaign_for([person], name=f"C{n}"))
        _send_all(campaign)
        message = Message.objects.get(pk=Recipient.objects.get(campaign=campaign).message_id)
        recipient_message_event(message=message, event="soft_bounced")
    assert Suppression.objects.get(address=address_digest(person.email)).reason == "soft_bounces"
    campaign = _started(campaign_for([person], name="After"))
    _send_all(campaign)
    assert skip_reasons(campaign=campaign) == {SkipReason.SUPPRESSED: 1}


def test_bounce_rate_pauses_the_campaign_and_tells_the_owner(tenant, owner, mailoutbox):
    people = MarketingContactFactory.create_batch(60)
    campaign = campaign_for(people, actor=owner, throttle_per_minute=600)  # 50 per slice
    _started(campaign)
    campaign_batch_send(campaign_id=campaign.pk, now=START)
    sent = Recipient.objects.filter(campaign=campaign, status="sent").order_by("pk")
    for row in sent[:3]:  # 3 of 50 (6%) over the 5% threshold
        recipient_message_event(message=Message.objects.get(pk=row.message_id), event="bounced")
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.PAUSED
    assert "bounced" in campaign.pause_reason
    assert campaign_batch_send(campaign_id=campaign.pk, now=START + dt.timedelta(minutes=1)) == 0


def test_the_send_by_deadline_drops_what_is_still_unsent(tenant):
    people = MarketingContactFactory.create_batch(10)
    campaign = campaign_for(people, throttle_per_minute=60, send_by=START + dt.timedelta(seconds=8))
    _started(campaign)
    campaign_batch_send(campaign_id=campaign.pk, now=START)
    campaign_pause(campaign=campaign)
    campaign_resume(campaign=campaign, now=START + dt.timedelta(seconds=9))
    campaign_batch_send(campaign_id=campaign.pk, now=START + dt.timedelta(seconds=9))
    assert skip_reasons(campaign=campaign) == {SkipReason.DEADLINE: 5}
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DONE


def test_local_time_across_three_zones(tenant):
    zones = ["Europe/Berlin", "America/New_York", "Asia/Tokyo"]
    people = [MarketingContactFactory(time_zone=z) for z in zones]
    campaign = campaign_for(people)
    # 08:00 UTC on 4 March 2030: 09:00 in Berlin, 03:00 in New York, 17:00 in Tokyo
    start = dt.datetime(2030, 3, 4, 8, 0, tzinfo=dt.UTC)
    campaign_schedule(
        campaign=campaign,
        schedule="local",
        send_at=start,
        local_time=dt.time(10, 0),
        passed_hour="next_day",
        now=start - dt.timedelta(hours=1),
    )
    campaign_start(campaign=campaign, now=start)
    due = {
        r.contact.time_zone: r.due_at
        for r in Recipient.objects.filter(campaign=campaign).select_related("contact")
    }
    assert due["Europe/Berlin"] == dt.datetime(
        2030, 3, 4, 10, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin")
    )
    assert due["America/New_York"] == dt.datetime(
        2030, 3, 4, 10, tzinfo=zoneinfo.ZoneInfo("America/New_York")
    )
    # Tokyo's 10:00 had passed at the start: the next day, by the rule
    assert due["Asia/Tokyo"] == dt.datetime(2030, 3, 5, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert campaign_batch_send(campaign_id=campaign.pk, now=start) == 0
    assert campaign_batch_send(campaign_id=campaign.pk, now=due["Europe/Berlin"]) == 1
    assert campaign_batch_send(campaign_id=campaign.pk, now=due["America/New_York"]) == 1
    assert campaign_batch_send(campaign_id=campaign.pk, now=due["Asia/Tokyo"]) == 1
    # the other rule: at once
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    assert (
        local_due(
            start=start, day=dt.date(2030, 3, 4), at=dt.time(10), zone=tokyo, passed_hour="now"
        )
        == start
    )


def test_a_held_clock_is_used(tenant):
    with clock_at(START):
        people = MarketingContactFactory.create_batch(2)
        campaign = campaign_for(people)
        campaign_schedule(campaign=campaign)
        campaign_start(campaign=campaign)
        assert campaign_batch_send(campaign_id=campaign.pk) == 2
        assert set(Recipient.objects.values_list("sent_at", flat=True)) == {START}
