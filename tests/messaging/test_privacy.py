"""Messaging's share of a merge, a privacy export and an erasure."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.contacts.services.merge import contacts_merge
from apps.contacts.services.privacy import contact_erase, contact_export_data
from apps.messaging.models import ChannelStats, InboundMessage, Message
from apps.messaging.services.privacy import messages_erase
from apps.messaging.services.sending import (
    message_deferred_release,
    message_deliver,
    message_send,
)
from apps.scheduling.models import DueWork
from tests.contacts.factories import ContactFactory
from tests.messaging.factories import InboundMessageFactory, MessageFactory, SentMessageFactory

pytestmark = pytest.mark.django_db


def _stats(contact, channel, sent, delivered, answered):
    return ChannelStats.objects.create(
        contact=contact, channel=channel, sent=sent, delivered=delivered, answered=answered
    )


# --- merge -------------------------------------------------------------------------------------
def test_merge_adds_up_the_channel_counts_on_one_row_per_channel(tenant, owner):
    survivor, one, two = ContactFactory.create_batch(3)
    _stats(survivor, "sms", 1, 1, 0)
    _stats(one, "sms", 2, 1, 1)
    _stats(one, "email", 3, 2, 2)
    _stats(two, "email", 1, 0, 0)
    _stats(two, "voice", 1, 1, 0)

    contacts_merge(survivor=survivor, others=[one, two], actor=owner)

    assert sorted(
        ChannelStats.objects.values_list("contact_id", "channel", "sent", "delivered", "answered")
    ) == [
        (survivor.pk, "email", 4, 2, 2),
        (survivor.pk, "sms", 3, 2, 1),
        (survivor.pk, "voice", 1, 1, 0),
    ]


def test_merge_moves_messages_and_replies_and_their_dedupe_keys_still_work(tenant, owner):
    survivor, other = ContactFactory.create_batch(2)
    mine = MessageFactory(contact=survivor, dedupe_key="appointment:1:confirm:0")
    theirs = MessageFactory(contact=other, dedupe_key="appointment:2:confirm:0")
    reply = InboundMessageFactory(contact=other)

    contacts_merge(survivor=survivor, others=[other], actor=owner)

    assert set(Message.objects.values_list("pk", "contact_id")) == {
        (mine.pk, survivor.pk),
        (theirs.pk, survivor.pk),
    }
    assert InboundMessage.objects.get(pk=reply.pk).contact_id == survivor.pk
    again = message_send(
        contact=survivor, purpose="appointment_reminder", dedupe_key="appointment:2:confirm:0"
    )
    assert again.pk == theirs.pk and Message.objects.count() == 2


# --- erase -------------------------------------------------------------------------------------
def test_erase_clears_texts_and_addresses_and_keeps_the_figures(tenant, owner):
    contact = ContactFactory(phone="+4915147110815", email="pat@example.test")
    sent_at = timezone.now() - dt.timedelta(days=2)
    message = SentMessageFactory(
        contact=contact,
        subject="Your results",
        body="Hi Pat, your results are ready.",
        error="21211 Invalid 'To' Phone Number: +4915147110815",
        reason="chose SMS (SMS: 1 of 2 answered)",
        dedupe_key="appointment:7:reminder:1440:best:1",
        related_type="appointment",
        related_id="7",
        status="delivered",
        sent_at=sent_at,
        delivered_at=sent_at,
        attempts=1,
    )
    reply = InboundMessageFactory(contact=contact, body="Running late", provider_message_id="SM1")
    unmatched = InboundMessageFactory(contact=None, from_number=contact.phone, body="Who is this?")
    bystander = InboundMessageFactory(body="See you soon")
    _stats(contact, "sms", 2, 2, 1)

    contact_erase(contact=contact, actor=owner)

    message.refresh_from_db()
    assert (message.to, message.subject, message.body, message.language, message.error) == (
        ("",) * 5
    )
    assert (message.status, message.sent_at, message.delivered_at, message.attempts) == (
        "delivered",
        sent_at,
        sent_at,
        1,
    )
    assert (message.purpose, message.channel, message.reason, message.dedupe_key) == (
        "appointment_reminder",
        "sms",
        "chose SMS (SMS: 1 of 2 answered)",
        "appointment:7:reminder:1440:best:1",
    )
    assert message.provider_message_id and message.related_id == "7"
    for row in (reply, unmatched):
        row.refresh_from_db()
        assert (row.from_number, row.body) == ("", "")
    reply.refresh_from_db()
    assert (reply.handled_as, reply.provider_message_id, reply.contact_id) == (
        "other",
        "SM1",
        contact.pk,
    )
    bystander.refresh_from_db()
    assert bystander.body == "See you soon" and bystander.from_number
    assert ChannelStats.objects.filter(contact=contact, sent=2, delivered=2, answered=1).exists()


def test_erase_stops_the_messages_not_yet_sent(tenant, owner):
    contact = ContactFactory()
    queued = MessageFactory(contact=contact, status="queued")
    held = MessageFactory(
        contact=contact, status="deferred", scheduled_for=timezone.now() + dt.timedelta(hours=3)
    )
    sent = SentMessageFactory(contact=contact)

    contact_erase(contact=contact, actor=owner)

    for message in (queued, held):
        message.refresh_from_db()
        assert (message.status, message.reason, message.scheduled_for) == (
            "suppressed",
            "contact erased",
            None,
        )
    assert Message.objects.get(pk=sent.pk).status == "sent"
    assert message_deliver(message_id=queued.pk).status == "suppressed"  # nothing leaves
    message_deferred_release(DueWork(kind="messaging.deferred", ref=str(held.pk)))
    assert Message.objects.get(pk=held.pk).status == "suppressed"


def test_the_eraser_leaves_other_contacts_alone(tenant):
    contact, other = ContactFactory.create_batch(2)
    kept = MessageFactory(contact=other, body="Hello there")
    messages_erase(contact)
    assert Message.objects.get(pk=kept.pk).body == "Hello there"


# --- export ------------------------------------------------------------------------------------
def test_export_has_the_messages_the_replies_and_the_counts(tenant):
    contact = ContactFactory(phone="+4915147110815")
    message = SentMessageFactory(
        contact=contact, subject="", body="See you tomorrow at 10:30.", status="delivered"
    )
    InboundMessageFactory(contact=contact, body="Can I bring my daughter too?")
    _stats(contact, "sms", 1, 1, 0)

    section = contact_export_data(contact)["messages"]

    [sent] = section["sent"]
    assert sent["id"] == message.pk
    assert (sent["channel"], sent["purpose"], sent["status"], sent["body"], sent["to"]) == (
        "sms",
        "appointment_reminder",
        "delivered",
        "See you tomorrow at 10:30.",
        "+4915147110815",
    )
    assert sent["created"] == message.created.isoformat()
    [received] = section["received"]
    assert (received["body"], received["from_number"], received["handled_as"]) == (
        "Can I bring my daughter too?",
        "+4915147110815",
        "other",
    )
    assert section["channels"] == [{"channel": "sms", "sent": 1, "delivered": 1, "answered": 0}]
