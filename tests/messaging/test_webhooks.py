"""Twilio's webhooks: only requests signed with the business's auth token change anything."""

import pytest

from apps.contacts.models import TimelineEvent
from apps.messaging.models import InboundMessage, Message
from apps.messaging.services.settings import provider_secret_set
from apps.messaging.views.webhooks import twilio_signature
from tests.conftest import alpha
from tests.contacts.factories import ContactFactory
from tests.messaging.factories import SentMessageFactory

pytestmark = pytest.mark.django_db
TOKEN = "12345678901234567890123456789012"
STATUS_URL = "http://alpha.localhost/webhooks/twilio/status/"
INBOUND_URL = "http://alpha.localhost/webhooks/twilio/inbound/"


@pytest.fixture
def token(tenant):
    provider_secret_set(secret=TOKEN)
    return TOKEN


def _post(client, url, params, signature=None, token=TOKEN):
    if signature is None:
        signature = twilio_signature(url=url, params=params, auth_token=token)
    headers = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
    return client.post(url.removeprefix("http://alpha.localhost"), params, **headers)


def test_signature_matches_twilios_documented_example():
    # The example from Twilio's "Webhooks security" documentation.
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+12349013030",
        "Digits": "1234",
        "From": "+12349013030",
        "To": "+18005551212",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert twilio_signature(url=url, params=params, auth_token="12345") == (
        "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    )


def test_status_callback_marks_the_message_delivered(tenant_client, token):
    message = SentMessageFactory()
    response = _post(
        tenant_client,
        STATUS_URL,
        {"MessageSid": message.provider_message_id, "MessageStatus": "delivered"},
    )
    assert response.status_code == 204
    with alpha():
        message.refresh_from_db()
        assert message.status == "delivered" and message.delivered_at
        assert TimelineEvent.objects.filter(
            contact=message.contact, type="message.delivered"
        ).exists()


def test_undelivered_becomes_failed_with_the_error_code(tenant_client, token):
    message = SentMessageFactory()
    params = {
        "MessageSid": message.provider_message_id,
        "MessageStatus": "undelivered",
        "ErrorCode": "30003",
    }
    assert _post(tenant_client, STATUS_URL, params).status_code == 204
    with alpha():
        message.refresh_from_db()
        assert message.status == "failed" and "30003" in message.error


def test_sent_and_unknown_ids_change_nothing(tenant_client, token):
    message = SentMessageFactory()
    params = {"MessageSid": message.provider_message_id, "MessageStatus": "sent"}
    assert _post(tenant_client, STATUS_URL, params).status_code == 204
    params = {"MessageSid": "SMunknown", "MessageStatus": "delivered"}
    assert _post(tenant_client, STATUS_URL, params).status_code == 204
    with alpha():
        message.refresh_from_db()
        assert message.status == "sent"


def test_forged_status_callback_is_rejected(tenant_client, token):
    message = SentMessageFactory()
    params = {"MessageSid": message.provider_message_id, "MessageStatus": "failed"}
    forged = twilio_signature(url=STATUS_URL, params=params, auth_token="guessed-token")
    assert _post(tenant_client, STATUS_URL, params, signature=forged).status_code == 403
    # A genuine signature for other parameters does not cover changed ones either.
    signed = twilio_signature(
        url=STATUS_URL, params={**params, "MessageStatus": "delivered"}, auth_token=TOKEN
    )
    assert _post(tenant_client, STATUS_URL, params, signature=signed).status_code == 403
    with alpha():
        message.refresh_from_db()
        assert message.status == "sent"


def test_missing_signature_is_rejected(tenant_client, token):
    message = SentMessageFactory()
    params = {"MessageSid": message.provider_message_id, "MessageStatus": "failed"}
    assert _post(tenant_client, STATUS_URL, params, signature="").status_code == 403
    assert (
        _post(
            tenant_client,
            INBOUND_URL,
            {"From": "+4915112345678", "Body": "STOP", "MessageSid": "SM1"},
            signature="",
        ).status_code
        == 403
    )
    with alpha():
        message.refresh_from_db()
        assert message.status == "sent" and not InboundMessage.objects.exists()


def test_without_a_saved_token_every_request_is_rejected(tenant_client, tenant):
    params = {"From": "+4915112345678", "Body": "hi", "MessageSid": "SM1"}
    response = _post(tenant_client, INBOUND_URL, params, token="")
    assert response.status_code == 403


def test_inbound_stop_opts_out_and_answers_empty_twiml(tenant_client, token):
    contact = ContactFactory(phone="+4915112345678", sms_consent="opted_in")
    params = {
        "From": "+4915112345678",
        "To": "+4915100000000",
        "Body": "STOP",
        "MessageSid": "SM" + "f" * 32,
    }
    response = _post(tenant_client, INBOUND_URL, params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.decode().endswith("<Response/>")
    with alpha():
        contact.refresh_from_db()
        assert contact.sms_consent == "opted_out"
        assert InboundMessage.objects.get().handled_as == "stop"
        assert Message.objects.filter(purpose="sms_stop_confirmation").count() == 1


def test_forged_inbound_changes_nothing(tenant_client, token):
    contact = ContactFactory(phone="+4915112345678", sms_consent="opted_in")
    params = {"From": "+4915112345678", "Body": "STOP", "MessageSid": "SM1"}
    forged = twilio_signature(url=INBOUND_URL, params=params, auth_token="not-the-token")
    assert _post(tenant_client, INBOUND_URL, params, signature=forged).status_code == 403
    with alpha():
        contact.refresh_from_db()
        assert contact.sms_consent == "opted_in" and not InboundMessage.objects.exists()


def test_signature_of_another_business_is_rejected(other_tenant_client, token):
    # Beta has no token of alpha's: alpha's signature sent to beta's host is refused there.
    params = {"From": "+4915112345678", "Body": "hi", "MessageSid": "SM1"}
    signature = twilio_signature(url=INBOUND_URL, params=params, auth_token=TOKEN)
    response = other_tenant_client.post(
        "/webhooks/twilio/inbound/", params, HTTP_X_TWILIO_SIGNATURE=signature
    )
    assert response.status_code == 403


def test_webhooks_take_only_post(tenant_client, token):
    assert tenant_client.get("/webhooks/twilio/inbound/").status_code == 405
