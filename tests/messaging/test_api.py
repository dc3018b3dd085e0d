"""The messages API: read keys list and fetch, write keys send through message_send, inputs are
checked with field names, and another business's key gets a 401."""

import pytest

from apps.messaging.models import Message
from tests.conftest import alpha
from tests.contacts.factories import ContactFactory
from tests.messaging.factories import MessageFactory

pytestmark = pytest.mark.django_db


def test_read_key_lists_messages_newest_first_with_filters(read_api_client):
    contact = ContactFactory()
    old = MessageFactory(contact=contact, channel="sms", status="sent")
    new = MessageFactory(channel="email", status="failed", reason="mailbox full")
    response = read_api_client.get("/api/v1/messages/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [new.pk, old.pk]
    only = read_api_client.get("/api/v1/messages/", {"channel": "email"}).json()["results"]
    assert [row["id"] for row in only] == [new.pk] and only[0]["reason"] == "mailbox full"
    only = read_api_client.get("/api/v1/messages/", {"status": "sent"}).json()["results"]
    assert [row["id"] for row in only] == [old.pk]
    only = read_api_client.get("/api/v1/messages/", {"contact": contact.pk}).json()["results"]
    assert [row["id"] for row in only] == [old.pk]
    bad = read_api_client.get("/api/v1/messages/", {"status": "bogus"})
    assert bad.status_code == 400 and "status" in bad.json()["error"]["fields"]


def test_the_list_is_cursor_paginated_with_bounded_queries(
    read_api_client, django_assert_max_num_queries
):
    MessageFactory.create_batch(7)
    with django_assert_max_num_queries(6):
        first = read_api_client.get("/api/v1/messages/", {"page_size": 5}).json()
    assert len(first["results"]) == 5 and "cursor=" in first["next"]
    second = read_api_client.get(first["next"]).json()
    assert len(second["results"]) == 2
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


def test_read_key_fetches_one_message(read_api_client):
    message = MessageFactory(body="See you at 10:30.")
    response = read_api_client.get(f"/api/v1/messages/{message.pk}/")
    assert response.status_code == 200
    assert response.json()["body"] == "See you at 10:30." and response.json()["channel"] == "sms"
    assert read_api_client.get("/api/v1/messages/999999/").status_code == 404


def test_read_key_cannot_send(read_api_client):
    contact = ContactFactory()
    response = read_api_client.post(
        "/api/v1/messages/",
        {"contact": contact.pk, "purpose": "appointment_reminder"},
        format="json",
    )
    assert response.status_code == 403
    with alpha():
        assert not Message.objects.exists()


def test_write_key_sends_through_the_send_service(api_client):
    contact = ContactFactory(sms_consent="opted_in")
    body = {
        "contact": contact.pk,
        "purpose": "appointment_reminder",
        "channel": "sms",
        "dedupe_key": "api-test-1",
    }
    response = api_client.post("/api/v1/messages/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["contact"] == contact.pk and data["channel"] == "sms"
    assert data["purpose"] == "appointment_reminder" and data["status"] in (
        "queued",
        "deferred",
        "sent",
    )
    again = api_client.post("/api/v1/messages/", body, format="json")
    assert again.json()["id"] == data["id"]  # the dedupe key never sends twice
    with alpha():
        assert Message.objects.filter(dedupe_key="api-test-1").count() == 1


def test_idempotency_key_replays_the_first_answer(api_client):
    contact = ContactFactory()
    body = {"contact": contact.pk, "purpose": "appointment_reminder", "channel": "sms"}
    first = api_client.post("/api/v1/messages/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    second = api_client.post("/api/v1/messages/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == 201 and second.status_code == 201
    assert second["Idempotent-Replayed"] == "true" and second.json()["id"] == first.json()["id"]
    with alpha():
        assert Message.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"purpose": "appointment_reminder"}, "contact"),
        ({"contact": 999999, "purpose": "appointment_reminder"}, "contact"),
        ({"contact": "CONTACT", "purpose": "no_such_purpose"}, "purpose"),
        ({"contact": "CONTACT", "purpose": "appointment_reminder", "channel": "fax"}, "channel"),
        ({"contact": "CONTACT", "purpose": "appointment_reminder", "colour": "red"}, "colour"),
    ],
)
def test_invalid_sends_are_400s_naming_the_field(api_client, body, field):
    contact = ContactFactory()
    body = {k: (contact.pk if v == "CONTACT" else v) for k, v in body.items()}
    response = api_client.post("/api/v1/messages/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    with alpha():
        assert not Message.objects.exists()


def test_outsider_key_is_401_everywhere(outsider_api_client):
    contact = ContactFactory()
    message = MessageFactory(contact=contact, body="secret body")
    for method, url, body in [
        ("get", "/api/v1/messages/", None),
        ("get", f"/api/v1/messages/{message.pk}/", None),
        ("post", "/api/v1/messages/", {"contact": contact.pk, "purpose": "appointment_reminder"}),
    ]:
        response = getattr(outsider_api_client, method)(url, body, format="json")
        assert response.status_code == 401, url
        assert b"secret body" not in response.content
    with alpha():
        assert Message.objects.count() == 1
