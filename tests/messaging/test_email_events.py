"""E-mail providers' webhooks (django-anymail; Postmark's format here) reach the message log."""

import base64
import json

import pytest

from apps.contacts.models import ConsentEvent
from apps.messaging.models import MessageStatus
from tests.conftest import alpha
from tests.contacts.factories import ContactFactory
from tests.messaging.factories import MessageFactory

pytestmark = pytest.mark.django_db
URL = "/webhooks/email/postmark/tracking/"


@pytest.fixture
def secret(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:s3cret-value"}
    return "Basic " + base64.b64encode(b"hook:s3cret-value").decode()


@pytest.fixture
def sent_email(tenant):
    contact = ContactFactory(email="pat@example.test", email_consent="opted_in")
    return MessageFactory(
        contact=contact,
        channel="email",
        status=MessageStatus.SENT,
        provider="email",
        provider_message_id="pm-123",
    )


def _post(client, payload: dict, auth: str | None):
    extra = {"HTTP_AUTHORIZATION": auth} if auth else {}
    return client.post(URL, json.dumps(payload), content_type="application/json", **extra)


def test_a_bounce_fails_the_message(tenant_client, secret, sent_email):
    response = _post(
        tenant_client,
        {
            "RecordType": "Bounce",
            "MessageID": "pm-123",
            "Type": "HardBounce",
            "Email": "pat@example.test",
            "BouncedAt": "2026-11-23T10:00:00Z",
            "Description": "The mailbox does not exist.",
        },
        secret,
    )
    assert response.status_code == 200
    with alpha():
        sent_email.refresh_from_db()
    assert sent_email.status == MessageStatus.FAILED
    assert "mailbox does not exist" in sent_email.error


def test_a_delivery_is_recorded(tenant_client, secret, sent_email):
    response = _post(
        tenant_client,
        {
            "RecordType": "Delivery",
            "MessageID": "pm-123",
            "Recipient": "pat@example.test",
            "DeliveredAt": "2026-11-23T10:00:00Z",
        },
        secret,
    )
    assert response.status_code == 200
    with alpha():
        sent_email.refresh_from_db()
    assert sent_email.status == MessageStatus.DELIVERED and sent_email.delivered_at


def test_a_spam_complaint_opts_the_contact_out_of_email(tenant_client, secret, sent_email):
    _post(
        tenant_client,
        {
            "RecordType": "SpamComplaint",
            "MessageID": "pm-123",
            "Type": "SpamComplaint",
            "Email": "pat@example.test",
            "BouncedAt": "2026-11-23T10:00:00Z",
        },
        secret,
    )
    with alpha():
        sent_email.contact.refresh_from_db()
        assert sent_email.contact.email_consent == "opted_out"
        assert ConsentEvent.objects.get(contact=sent_email.contact).method == "reply"


@pytest.mark.parametrize("auth", [None, "Basic " + base64.b64encode(b"hook:wrong").decode()])
def test_a_webhook_without_the_secret_changes_nothing(tenant_client, secret, sent_email, auth):
    response = _post(
        tenant_client,
        {
            "RecordType": "Delivery",
            "MessageID": "pm-123",
            "Recipient": "pat@example.test",
            "DeliveredAt": "2026-11-23T10:00:00Z",
        },
        auth,
    )
    assert response.status_code in (400, 401, 403)
    with alpha():
        sent_email.refresh_from_db()
    assert sent_email.status == MessageStatus.SENT
