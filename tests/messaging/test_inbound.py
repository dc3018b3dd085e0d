"""Texts from customers: STOP/START change SMS consent (one confirmation), C/YES confirms,
anything else lands on the timeline; unknown numbers are kept too."""

import pytest

from apps.contacts.models import ConsentEvent, TimelineEvent
from apps.messaging.models import InboundMessage, Message
from apps.messaging.services.inbound import inbound_classify, inbound_sms_receive
from tests.contacts.factories import ContactFactory

pytestmark = pytest.mark.django_db
PHONE = "+4915112345678"


@pytest.fixture
def contact(tenant):
    return ContactFactory(phone=PHONE, phone_national="15112345678", sms_consent="opted_in")


@pytest.mark.parametrize(
    "body, kind",
    [
        ("STOP", "stop"),
        (" stop ", "stop"),
        ("Stopall", "stop"),
        ("unsubscribe", "stop"),
        ("ARRET", "stop"),
        ("cancel", "stop"),
        ("End", "stop"),
        ("quit", "stop"),
        ("START", "start"),
        ("unstop", "start"),
        ("c", "confirm"),
        ("Yes", "confirm"),
        ("OUI", "confirm"),
        ("si", "confirm"),
        ("y", "confirm"),
        ("stop please", "other"),
        ("Can I come at 3?", "other"),
        ("", "other"),
    ],
)
def test_replies_are_classified_by_the_whole_word(body, kind):
    assert inbound_classify(body) == kind


def test_stop_opts_out_and_sends_one_confirmation(contact):
    inbound = inbound_sms_receive(from_number=PHONE, body="Stop", provider_message_id="SM1")
    contact.refresh_from_db()
    assert (inbound.handled_as, inbound.contact, contact.sms_consent) == (
        "stop",
        contact,
        "opted_out",
    )
    change = ConsentEvent.objects.get(contact=contact)
    assert (change.method, change.note) == ("reply", "Stop")
    (confirmation,) = Message.objects.filter(contact=contact)
    assert confirmation.purpose == "sms_stop_confirmation" and confirmation.channel == "sms"
    assert confirmation.dedupe_key == "stop-confirm:SM1"
    assert confirmation.status == "queued"  # let through although the contact just opted out


def test_stop_twice_sends_one_confirmation(contact):
    inbound_sms_receive(from_number=PHONE, body="STOP", provider_message_id="SM1")
    inbound_sms_receive(from_number=PHONE, body="STOP", provider_message_id="SM1")  # retried
    inbound_sms_receive(from_number=PHONE, body="stop", provider_message_id="SM2")  # again
    assert InboundMessage.objects.count() == 2
    assert Message.objects.filter(purpose="sms_stop_confirmation").count() == 1
    assert ConsentEvent.objects.filter(contact=contact).count() == 1


def test_start_opts_back_in(contact):
    inbound_sms_receive(from_number=PHONE, body="STOP", provider_message_id="SM1")
    inbound = inbound_sms_receive(from_number=PHONE, body="start", provider_message_id="SM2")
    contact.refresh_from_db()
    assert inbound.handled_as == "start" and contact.sms_consent == "opted_in"


def test_confirm_reply_goes_on_the_timeline(contact):
    inbound = inbound_sms_receive(from_number="0151 12345678", body="C", provider_message_id="SM3")
    assert inbound.handled_as == "confirm" and inbound.contact == contact
    event = TimelineEvent.objects.get(contact=contact, type="message.confirmed")
    assert event.properties["inbound_id"] == inbound.pk
    assert not Message.objects.exists()


def test_anything_else_lands_on_the_timeline(contact):
    inbound = inbound_sms_receive(
        from_number=PHONE, body="Can I come at 3?", provider_message_id="SM4"
    )
    assert inbound.handled_as == "other" and inbound.read_at is None
    event = TimelineEvent.objects.get(contact=contact, type="message.received")
    assert event.properties["body"] == "Can I come at 3?"
    contact.refresh_from_db()
    assert contact.sms_consent == "opted_in"


def test_unknown_number_is_still_stored(tenant):
    inbound = inbound_sms_receive(
        from_number="+4915199999999", body="STOP", provider_message_id="SM5"
    )
    assert inbound.pk and inbound.contact is None and inbound.handled_as == "stop"
    assert inbound.from_number == "+4915199999999"
    assert not Message.objects.exists()


def test_unreadable_number_is_still_stored(tenant):
    inbound = inbound_sms_receive(from_number="SHORTCODE", body="hi", provider_message_id="SM6")
    assert inbound.contact is None and inbound.from_number == "SHORTCODE"
