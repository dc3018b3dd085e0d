"""What counts as "answered" for the channel choice beyond e-mail: a text back, a click on a
text's tracked short link, a call picked up. Each counts once per message, however often it
happens or is reported."""

import pytest
from django.test import override_settings

from apps.messaging.models import ChannelStats, Message, ShortLink
from apps.messaging.services.inbound import inbound_sms_receive
from apps.messaging.services.sending import message_deliver, message_send
from apps.messaging.services.settings import provider_secret_set
from apps.messaging.services.templates import template_save
from apps.messaging.views.webhooks import twilio_signature
from tests.conftest import alpha
from tests.contacts.factories import ContactFactory
from tests.helpers.clock import BERLIN, clock_at, local, today
from tests.messaging.factories import SentMessageFactory

pytestmark = pytest.mark.django_db
PHONE = "+4915112345678"
TOKEN = "12345678901234567890123456789012"
STATUS_URL = "http://alpha.localhost/webhooks/twilio/status/"


@pytest.fixture(autouse=True)
def _noon():
    with clock_at(local(today(BERLIN), 12, 0, BERLIN), tick=True):
        yield


@pytest.fixture
def contact(tenant):
    return ContactFactory(
        phone=PHONE,
        phone_national="15112345678",
        time_zone="Europe/Berlin",
        sms_consent="opted_in",
        language="en",
    )


def _stats(contact, channel):
    row = ChannelStats.objects.filter(contact=contact, channel=channel).first()
    return (row.delivered, row.answered) if row else (0, 0)


def _sent_text(contact, body="Hi {{ contact.first_name }}, news: https://example.com/spring?x=1."):
    template_save(
        purpose="campaign",
        channel="sms",
        language="en",
        subject="",
        body=f"{body} Reply STOP to opt out.",
    )
    message = message_send(contact=contact, purpose="campaign", channel="sms")
    return message_deliver(message_id=message.pk)


# --- a text back --------------------------------------------------------------------------------
def test_a_reply_counts_the_last_text_answered_once(contact):
    message = _sent_text(contact)
    inbound_sms_receive(from_number=PHONE, body="Sounds good", provider_message_id="SMa")
    inbound_sms_receive(from_number=PHONE, body="Sounds good", provider_message_id="SMa")  # again
    inbound_sms_receive(from_number=PHONE, body="See you then", provider_message_id="SMb")
    message.refresh_from_db()
    assert message.status == "replied" and message.replied_at
    assert _stats(contact, "sms") == (1, 1)


def test_a_confirmation_is_an_answer_and_stop_is_not(contact):
    message = _sent_text(contact)
    inbound_sms_receive(from_number=PHONE, body="STOP", provider_message_id="SMs")
    message.refresh_from_db()
    assert message.replied_at is None and _stats(contact, "sms") == (0, 0)
    inbound_sms_receive(from_number=PHONE, body="START", provider_message_id="SMt")
    inbound_sms_receive(from_number=PHONE, body="C", provider_message_id="SMc")
    message.refresh_from_db()
    assert message.replied_at and _stats(contact, "sms") == (1, 1)


def test_a_text_out_of_the_blue_answers_nothing(contact):
    inbound_sms_receive(from_number=PHONE, body="Hello?", provider_message_id="SMx")
    assert not ChannelStats.objects.exists()


# --- a click on a text's link -------------------------------------------------------------------
def test_a_texts_links_become_tracked_short_links(contact):
    message = _sent_text(contact)
    link = ShortLink.objects.get(message=message)
    assert link.url == "https://example.com/spring?x=1"  # the full stop stays in the text
    assert f"/l/{link.code}/. Reply STOP" in message.body
    assert "example.com" not in message.body and len(link.code) == 10
    assert Message.objects.get(pk=message.pk).body == message.body  # what the outbox shows


def test_a_click_on_a_short_link_counts_once_and_goes_on(contact, tenant_client):
    message = _sent_text(contact)
    code = ShortLink.objects.get(message=message).code
    for _ in range(2):
        response = tenant_client.get(f"/l/{code}/")
        assert response.status_code == 302
        assert response["Location"] == "https://example.com/spring?x=1"
    with alpha():
        message.refresh_from_db()
        assert message.clicked_at and message.status == "clicked"
        assert _stats(contact, "sms") == (1, 1)


def test_an_unknown_short_link_is_a_clear_page(tenant_client, tenant):
    response = tenant_client.get("/l/NoSuchCode/")
    assert response.status_code == 400 and b"not valid" in response.content


def test_a_link_of_alpha_is_unknown_on_betas_host(contact, other_tenant_client):
    code = ShortLink.objects.get(message=_sent_text(contact)).code
    assert other_tenant_client.get(f"/l/{code}/").status_code == 400


def test_a_retried_delivery_keeps_the_same_short_link(contact):
    from apps.messaging.services.links import sms_body_track

    message = _sent_text(contact)
    link = ShortLink.objects.get(message=message)
    message.body = "again: https://example.com/spring?x=1"
    assert link.code in sms_body_track(message=message, base_url="http://alpha.localhost")
    assert ShortLink.objects.count() == 1


@override_settings(MESSAGING_TRACK_LINKS=False)
def test_without_tracking_a_text_keeps_its_links(contact):
    message = _sent_text(contact)
    assert "https://example.com/spring?x=1" in message.body and not ShortLink.objects.exists()


def test_erasure_clears_where_short_links_go(contact):
    from apps.contacts.services import contact_erase

    _sent_text(contact)
    contact_erase(contact=contact, actor=None)
    assert ShortLink.objects.get().url == ""


# --- a call picked up ---------------------------------------------------------------------------
def _status(client, params):
    signature = twilio_signature(url=STATUS_URL, params=params, auth_token=TOKEN)
    return client.post(
        STATUS_URL.removeprefix("http://alpha.localhost"),
        params,
        HTTP_X_TWILIO_SIGNATURE=signature,
    )


def test_an_answered_call_counts_once(contact, tenant_client):
    provider_secret_set(secret=TOKEN)
    call = SentMessageFactory(contact=contact, channel="voice", provider_message_id="CA" + "1" * 32)
    for status in ("in-progress", "completed", "completed"):  # answered, ended, reported again
        params = {"CallSid": call.provider_message_id, "CallStatus": status}
        assert _status(tenant_client, params).status_code == 204
    with alpha():
        call.refresh_from_db()
        assert call.status == "opened" and call.opened_at and call.delivered_at
        assert _stats(contact, "voice") == (1, 1)


def test_a_call_taken_by_a_machine_or_not_answered_is_no_answer(contact, tenant_client):
    provider_secret_set(secret=TOKEN)
    machine = SentMessageFactory(contact=contact, channel="voice", provider_message_id="CAm")
    missed = SentMessageFactory(contact=contact, channel="voice", provider_message_id="CAn")
    params = {"CallSid": "CAm", "CallStatus": "completed", "AnsweredBy": "machine_end_beep"}
    _status(tenant_client, params)
    _status(tenant_client, {"CallSid": "CAn", "CallStatus": "no-answer"})
    with alpha():
        machine.refresh_from_db()
        missed.refresh_from_db()
        assert (machine.status, missed.status) == ("delivered", "failed")
        assert _stats(contact, "voice") == (1, 0)
