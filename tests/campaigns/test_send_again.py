""" "Retry the failed" and "send to the rest": each idempotent, nobody gets two messages;
the buttons and the API actions, for a manager, a viewer and another business."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from apps.campaigns.choices import CampaignStatus, RecipientStatus, SkipReason
from apps.campaigns.models import Recipient
from apps.campaigns.selectors import sendable_again
from apps.campaigns.services import (
    campaign_batch_send,
    campaign_cancel,
    campaign_retry_failed,
    campaign_send_rest,
    suppression_record,
)
from apps.messaging.models import Message
from cxsuite.lib.errors import ConflictError
from tests.campaigns.factories import MarketingContactFactory, campaign_for, sent_campaign
from tests.helpers.clock import clock_at, local

pytestmark = pytest.mark.django_db
START = local(dt.date(2030, 3, 4), 10, 0).astimezone(dt.UTC)
LATER = START + dt.timedelta(hours=2)
REACHING = ("queued", "sent", "delivered")


def _sent(n=4, **kwargs):
    with clock_at(START):
        return sent_campaign(contacts=MarketingContactFactory.create_batch(n), **kwargs)


def _fail(row, *, reason=SkipReason.REFUSED):
    Message.objects.filter(pk=row.message_id).update(status="failed", error="550 no such user")
    Recipient.objects.filter(pk=row.pk).update(status=RecipientStatus.FAILED, reason=reason)


def _reaching(contact_id) -> int:
    return Message.objects.filter(contact_id=contact_id, status__in=REACHING).count()


def test_retry_the_failed_sends_once_and_a_second_call_does_nothing(tenant):
    campaign = _sent(4)
    rows = list(Recipient.objects.filter(campaign=campaign).order_by("pk"))
    _fail(rows[0])
    _fail(rows[1], reason=SkipReason.BOUNCED)
    suppression_record(address=rows[1].address, hard=True)  # bounced: suppressed for good
    assert sendable_again(campaign=campaign) == {"failed_n": 2, "rest_n": 0}
    assert campaign_retry_failed(campaign=campaign, now=LATER) == 2
    assert campaign_retry_failed(campaign=campaign, now=LATER) == 0  # already in line
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENDING
    campaign_batch_send(campaign_id=campaign.pk, now=LATER)
    campaign_batch_send(campaign_id=campaign.pk, now=LATER)  # run again: nothing more
    first, bounced = (Recipient.objects.get(pk=r.pk) for r in rows[:2])
    assert (first.status, first.attempt) == (RecipientStatus.SENT, 1)
    assert (bounced.status, bounced.reason) == (RecipientStatus.SKIPPED, SkipReason.SUPPRESSED)
    assert campaign_retry_failed(campaign=campaign, now=LATER) == 0
    for row in rows:
        assert _reaching(row.contact_id) == (0 if row.pk == bounced.pk else 1)
    keys = set(
        Message.objects.filter(contact_id=first.contact_id).values_list("dedupe_key", flat=True)
    )
    assert keys == {
        f"campaign:{campaign.pk}:{first.contact_id}",
        f"campaign:{campaign.pk}:try1:{first.contact_id}",
    }
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DONE


def test_send_to_the_rest_reaches_the_capped_and_the_cancelled_once(tenant):
    people = MarketingContactFactory.create_batch(4)
    with clock_at(START):
        campaign = sent_campaign(contacts=people[:2])
    rows = list(Recipient.objects.filter(campaign=campaign).order_by("pk"))
    Message.objects.filter(pk=rows[0].message_id).update(status="suppressed", reason="capped")
    Recipient.objects.filter(pk=rows[0].pk).update(
        status=RecipientStatus.SKIPPED, reason=SkipReason.CAPPED, sent_at=None
    )
    Recipient.objects.filter(pk=rows[1].pk).update(
        status=RecipientStatus.SKIPPED, reason=SkipReason.TOPIC
    )
    assert sendable_again(campaign=campaign) == {"failed_n": 0, "rest_n": 1}
    assert campaign_send_rest(campaign=campaign, now=LATER) == 1
    assert campaign_send_rest(campaign=campaign, now=LATER) == 0
    campaign_batch_send(campaign_id=campaign.pk, now=LATER)
    assert Recipient.objects.get(pk=rows[0].pk).status == RecipientStatus.SENT
    assert Recipient.objects.get(pk=rows[1].pk).status == RecipientStatus.SKIPPED  # left out
    assert _reaching(rows[0].contact_id) == 1
    assert campaign_send_rest(campaign=campaign, now=LATER) == 0


def test_the_rest_of_a_cancelled_campaign_and_the_deadline(tenant):
    people = MarketingContactFactory.create_batch(3)
    campaign = campaign_for(people, throttle_per_minute=12, send_by=LATER)
    with clock_at(START):
        from apps.campaigns.services import campaign_schedule, campaign_start

        campaign_schedule(campaign=campaign, now=START)
        campaign_start(campaign=campaign, now=START)
        campaign_batch_send(campaign_id=campaign.pk, now=START)  # one sent (a slice of 1)
        campaign_cancel(campaign=campaign, now=START)
    assert sendable_again(campaign=campaign)["rest_n"] == 2
    with pytest.raises(ConflictError):
        campaign_send_rest(campaign=campaign, now=LATER)  # the offer has ended
    assert campaign_send_rest(campaign=campaign, now=START + dt.timedelta(minutes=1)) == 2
    for _ in range(5):
        campaign_batch_send(campaign_id=campaign.pk, now=START + dt.timedelta(minutes=10))
    assert [_reaching(p.pk) for p in people] == [1, 1, 1]


def test_the_buttons_and_the_api_actions(
    manager_client, viewer_client, outsider_client, api_client, read_api_client, tenant
):
    campaign = _sent(2)
    row = Recipient.objects.filter(campaign=campaign).first()
    _fail(row)
    page = manager_client.get(reverse("campaigns:campaign_detail", args=[campaign.pk]))
    assert b"Retry the failed (1)" in page.content
    url = reverse("campaigns:campaign_action", args=[campaign.pk, "retry_failed"])
    assert viewer_client.post(url).status_code == 403
    assert outsider_client.post(url).status_code in (302, 403, 404)
    assert manager_client.post(url).status_code == 302
    assert Recipient.objects.get(pk=row.pk).status != RecipientStatus.FAILED
    rest = reverse("campaigns:campaign_action", args=[campaign.pk, "send_rest"])
    assert manager_client.post(rest).status_code == 302  # nothing to send: still fine
    base = f"/api/v1/campaigns/{campaign.pk}"
    assert read_api_client.post(f"{base}/retry-failed/").status_code == 403
    assert api_client.post(f"{base}/retry-failed/").status_code == 200
    assert api_client.post(f"{base}/send-rest/").status_code == 200
    campaign_batch_send(campaign_id=campaign.pk)  # the batch the task would run
    campaign_batch_send(campaign_id=campaign.pk)
    assert _reaching(row.contact_id) == 1
