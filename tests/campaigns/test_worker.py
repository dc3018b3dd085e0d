"""Campaigns sent by a real Celery worker and two beats (tests/helpers/worker.py): one message
per contact whatever happens to the worker, and a progress bar that is the record itself."""

from __future__ import annotations

import time

import pytest
from django.db import connection, transaction
from django.db.models import Count

from apps.campaigns.choices import CampaignStatus, RecipientStatus
from apps.campaigns.models import Campaign, Recipient
from apps.campaigns.selectors import campaign_progress
from apps.campaigns.services import (
    campaign_pause,
    campaign_resume,
    campaign_schedule,
    campaign_throttle_set,
)
from apps.messaging.models import Message, MessageStatus
from tests.campaigns.factories import MarketingContactFactory, campaign_for
from tests.helpers.worker import wait_for
from tests.scheduling.test_worker import stack  # noqa: F401  (the fixture)

pytestmark = pytest.mark.worker


def _messages_sent(campaign: Campaign) -> int:
    return Message.objects.filter(
        dedupe_key__startswith=f"campaign:{campaign.pk}:", status=MessageStatus.SENT
    ).count()


def _record_matches(campaign: Campaign) -> bool:
    """The bar's figures and a count of the rows, read in one snapshot (the worker keeps
    writing between two statements otherwise)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        progress = campaign_progress(campaign=campaign)
        settled = Recipient.objects.filter(campaign=campaign).exclude(
            status__in=[RecipientStatus.PENDING, RecipientStatus.TEST, RecipientStatus.HELD]
        )
        return progress.settled == settled.count()


def _one_each(campaign: Campaign, n: int) -> None:
    messages = Message.objects.filter(dedupe_key__startswith=f"campaign:{campaign.pk}:")
    assert messages.count() == n
    assert not messages.values("contact").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert set(messages.values_list("attempts", flat=True)) == {1}  # handed over once each


def test_one_message_per_contact_through_retries_and_a_killed_worker(stack, committed_tenant):  # noqa: F811
    people = MarketingContactFactory.create_batch(200)
    campaign = campaign_for(people, throttle_per_minute=1200)  # 100 every 5 s
    campaign_schedule(campaign=campaign)
    for _ in range(4):  # the step sent again, as a retried or duplicated task would be
        stack.send(
            "apps.campaigns.tasks.campaign_step_task",
            schema="alpha",
            kwargs={"campaign_id": campaign.pk},
        )
    assert wait_for(
        lambda: Recipient.objects.filter(campaign=campaign, status="sent").exists(), 60
    ), stack.log("worker")[-3000:]
    stack.worker_kill()  # mid-send: the second slice and deliveries still to come
    stack.send(
        "apps.campaigns.tasks.campaign_step_task",
        schema="alpha",
        kwargs={"campaign_id": campaign.pk},
    )
    stack.worker_start()

    def finished() -> bool:
        campaign.refresh_from_db()
        return campaign.status == CampaignStatus.DONE and _messages_sent(campaign) == 200

    assert wait_for(finished, 120), (
        campaign.status,
        _messages_sent(campaign),
        dict(Message.objects.values_list("status").annotate(n=Count("pk"))),
        stack.log("worker-2")[-2000:],
    )
    time.sleep(3)  # duplicates still in the queue have run by now
    _one_each(campaign, 200)
    assert _record_matches(campaign)
    assert campaign_progress(campaign=campaign).percent == 100


def test_a_throttle_change_and_pause_resume_keep_the_bar_equal_to_the_record(
    stack,  # noqa: F811
    committed_tenant,
):
    people = MarketingContactFactory.create_batch(60)
    campaign = campaign_for(people, throttle_per_minute=120)  # 10 every 5 s
    campaign_schedule(campaign=campaign)
    assert wait_for(
        lambda: Recipient.objects.filter(campaign=campaign, status="sent").count() >= 10, 60
    )
    assert _record_matches(campaign)
    campaign_throttle_set(campaign=campaign, per_minute=240)  # 20 every 5 s
    campaign_pause(campaign=campaign)
    time.sleep(1)  # a batch that had the lock before the pause ends
    paused_at = Recipient.objects.filter(campaign=campaign, status="sent").count()
    time.sleep(7)  # more than one slice: nothing moves while paused
    assert Recipient.objects.filter(campaign=campaign, status="sent").count() == paused_at
    assert _record_matches(campaign)
    campaign.refresh_from_db()
    campaign_resume(campaign=campaign)

    def finished() -> bool:
        campaign.refresh_from_db()
        assert _record_matches(campaign)
        return campaign.status == CampaignStatus.DONE and _messages_sent(campaign) == 60

    assert wait_for(finished, 90), stack.log("worker")[-3000:]
    _one_each(campaign, 60)
