"""Delivering a batch of queued messages, each claimed before its provider is called: one
refused address never holds back the others, a "slow down" is handed back for a later retry,
the sent ones are recorded in bulk (status, attempts, counts, timeline), and what a dead worker
left claimed is reconciled with the provider after the lease."""

from __future__ import annotations

from unittest import mock

import pytest

from apps.campaigns.services import campaign_batch_send, campaign_schedule, campaign_start
from apps.contacts.models import TimelineEvent
from apps.messaging.models import ChannelStats, Message, MessageStatus
from apps.messaging.providers import SendResult
from apps.messaging.services.sending import messages_deliver, messages_reconcile
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


def _stuck(people, *, seconds_ago: int) -> list[Message]:
    """Campaign messages a worker claimed `seconds_ago` and never recorded (it died)."""
    import datetime as dt

    from django.utils import timezone

    campaign = campaign_for(people)
    campaign_schedule(campaign=campaign)
    campaign_start(campaign=campaign)
    campaign_batch_send(campaign_id=campaign.pk)
    claimed_at = timezone.now() - dt.timedelta(seconds=seconds_ago)
    Message.objects.update(status=MessageStatus.SENDING, attempts=1, updated=claimed_at)
    return list(Message.objects.order_by("pk"))


def test_a_claimed_message_is_never_handed_over_again_within_its_lease(tenant, settings):
    settings.MESSAGING_SENDING_LEASE_SECONDS = 300
    messages = _stuck(MarketingContactFactory.create_batch(2), seconds_ago=10)
    calls = []
    provider = mock.Mock(kind="test", send=lambda m, **kw: calls.append(m.pk) or SendResult())
    with mock.patch("apps.messaging.providers.provider_for", return_value=provider):
        assert messages_deliver(message_ids=[m.pk for m in messages]) == []
        assert messages_reconcile() == []
    assert calls == []
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENDING}


def test_after_the_lease_the_provider_says_what_it_got_and_only_the_rest_is_handed_over(
    tenant, settings
):
    settings.MESSAGING_SENDING_LEASE_SECONDS = 60
    got, lost = _stuck(MarketingContactFactory.create_batch(2), seconds_ago=120)
    calls = []

    def send(message, **kwargs):
        calls.append(message.pk)
        return SendResult(provider_message_id=f"id-{message.pk}")

    provider = mock.Mock(kind="test", send=send, received=lambda ids: {got.pk} & set(ids))
    with mock.patch("apps.messaging.providers.provider_for", return_value=provider):
        again = messages_reconcile()
        assert again == [lost.pk]
        messages_deliver(message_ids=again)
    assert calls == [lost.pk]  # the one it had is recorded, not sent again
    rows = {m.pk: m for m in Message.objects.all()}
    assert {m.status for m in rows.values()} == {MessageStatus.SENT}
    assert (rows[got.pk].attempts, rows[lost.pk].attempts) == (1, 1)
    assert ChannelStats.objects.filter(sent=1).count() == 2


def test_a_provider_that_cannot_tell_gets_the_message_again_under_the_same_message_id(
    tenant, settings, mailoutbox
):
    from apps.messaging.providers.email import idempotency_message_id

    settings.MESSAGING_SENDING_LEASE_SECONDS = 60
    (message,) = _stuck(MarketingContactFactory.create_batch(1), seconds_ago=120)
    assert messages_reconcile() == [message.pk]  # locmem cannot tell what it got
    messages_deliver(message_ids=[message.pk])
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 2)
    assert [m.extra_headers["Message-ID"] for m in mailoutbox] == [
        idempotency_message_id(message.pk)
    ]
