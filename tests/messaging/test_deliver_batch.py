"""Delivering a batch of queued messages a hundred per transaction: one refused address
never holds back the others, a "slow down" is handed back for a later retry, and the sent
ones are recorded in bulk (status, attempts, counts, timeline)."""

from __future__ import annotations

from unittest import mock

import pytest

from apps.campaigns.services import campaign_batch_send, campaign_schedule, campaign_start
from apps.contacts.models import TimelineEvent
from apps.messaging.models import ChannelStats, Message, MessageStatus
from apps.messaging.providers import SendResult
from apps.messaging.services.sending import messages_deliver
from tests.campaigns.factories import MarketingContactFactory, campaign_for

pytestmark = pytest.mark.django_db


def test_a_refusal_and_a_slow_down_do_not_hold_back_the_batch(tenant):
    people = MarketingContactFactory.create_batch(4)
    campaign = campaign_for(people)
    campaign_schedule(campaign=campaign)
    campaign_start(campaign=campaign)
    campaign_batch_send(campaign_id=campaign.pk)
    refused, slowed = people[0].email, people[1].email

    def send(message, **kwargs):
        if message.to == refused:
            return SendResult(ok=False, error="550 no such user", transient=False)
        if message.to == slowed:
            return SendResult(ok=False, error="429 slow down", transient=True)
        return SendResult(provider_message_id=f"id-{message.pk}")

    provider = mock.Mock(kind="test", send=send)
    ids = list(Message.objects.order_by("pk").values_list("pk", flat=True))
    with mock.patch("apps.messaging.providers.provider_for", return_value=provider):
        retry = messages_deliver(message_ids=ids)
        assert retry == [Message.objects.get(to=slowed).pk]
        assert messages_deliver(message_ids=ids) == retry  # the sent and the failed stay put
    rows = {m.to: m for m in Message.objects.all()}
    assert rows[refused].status == MessageStatus.FAILED
    assert rows[slowed].status == MessageStatus.QUEUED and rows[slowed].attempts == 2
    for person in people[2:]:
        message = rows[person.email]
        assert (message.status, message.attempts, message.provider) == ("sent", 1, "test")
        assert message.provider_message_id == f"id-{message.pk}"
        assert ChannelStats.objects.get(contact=person, channel="email").sent == 1
    sent_events = TimelineEvent.objects.filter(type="message.sent")
    assert sorted(sent_events.values_list("contact_id", flat=True)) == sorted(
        p.pk for p in people[2:]
    )
