"""At the send-by deadline, text messages still held by quiet hours in messaging are dropped
there with the reason "deadline passed"; one already released is left alone."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.campaigns.choices import RecipientStatus, SkipReason
from apps.campaigns.models import Recipient
from apps.campaigns.selectors import skip_reasons
from apps.campaigns.services import (
    DEADLINE_WORK,
    campaign_batch_send,
    campaign_deadline_apply,
    campaign_schedule,
    campaign_start,
)
from apps.messaging.models import Message, MessageStatus
from apps.messaging.services.sending import message_deferred_release
from apps.scheduling.models import DueWork
from tests.campaigns.factories import MarketingContactFactory, campaign_for
from tests.helpers.clock import local

pytestmark = pytest.mark.django_db
NIGHT = local(dt.date(2030, 3, 4), 22, 0).astimezone(dt.UTC)  # 22:00 in Berlin: quiet
DEADLINE = NIGHT + dt.timedelta(hours=1)


def test_held_sms_are_dropped_at_the_deadline_with_the_reason(tenant):
    people = MarketingContactFactory.create_batch(3)
    campaign = campaign_for(
        people, channel="sms", variants=[{"sms_text": "20% off this week"}], send_by=DEADLINE
    )
    campaign_schedule(campaign=campaign, now=NIGHT)
    work = DueWork.objects.get(kind=DEADLINE_WORK, ref=str(campaign.pk))
    assert work.due_at == DEADLINE
    campaign_start(campaign=campaign, now=NIGHT)
    campaign_batch_send(campaign_id=campaign.pk, now=NIGHT)
    rows = list(Recipient.objects.filter(campaign=campaign).order_by("pk"))
    assert {r.status for r in rows} == {RecipientStatus.DEFERRED}
    messages = Message.objects.filter(pk__in=[r.message_id for r in rows])
    assert {m.status for m in messages} == {MessageStatus.DEFERRED}
    # one was let out early (quiet hours changed): it is no longer held
    Message.objects.filter(pk=rows[0].message_id).update(status=MessageStatus.SENT)
    assert campaign_deadline_apply(campaign_id=campaign.pk, now=NIGHT) == 0  # not yet
    assert campaign_deadline_apply(campaign_id=campaign.pk, now=DEADLINE) == 2
    assert campaign_deadline_apply(campaign_id=campaign.pk, now=DEADLINE) == 0  # once
    dropped = Message.objects.filter(pk__in=[r.message_id for r in rows[1:]])
    assert {(m.status, m.reason) for m in dropped} == {
        (MessageStatus.SUPPRESSED, "deadline passed")
    }
    assert Message.objects.get(pk=rows[0].message_id).status == MessageStatus.SENT
    assert skip_reasons(campaign=campaign) == {SkipReason.DEADLINE: 2}
    assert Recipient.objects.get(pk=rows[0].pk).status == RecipientStatus.DEFERRED
    # the end of the quiet hours finds nothing to release
    for row in rows[1:]:
        message_deferred_release(DueWork(kind="messaging.deferred", ref=str(row.message_id)))
    assert {m.status for m in dropped.all()} == {MessageStatus.SUPPRESSED}
