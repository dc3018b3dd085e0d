"""Deliveries to a real local receiver: signed as Standard Webhooks says (checked with the
`standardwebhooks` package), each event once per endpoint, retried with backoff until the
receiver answers, signed with both secrets during a rotation's overlap, and an endpoint that
fails for days turned off with its owners told."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from apps.contacts.services import event_record
from apps.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery
from apps.webhooks.services import (
    webhook_deliveries_send,
    webhook_delivery_replay,
    webhook_endpoint_create,
    webhook_endpoint_replay,
    webhook_endpoint_rotate_secret,
    webhooks_on_events,
)
from apps.webhooks.services.deliveries import MAX_ATTEMPTS
from tests.contacts.factories import ContactFactory, TimelineEventFactory
from tests.helpers.clock import clock_at
from tests.helpers.receiver import receiver_running

from .factories import SECRET, WebhookEndpointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    with receiver_running() as running:
        yield running


def verify(secret: str, received) -> dict:
    return Webhook(secret).verify(received.body, received.headers)


def send_due_at(delivery: WebhookDelivery) -> int:
    """Send once the clock reaches the delivery's next attempt."""
    delivery.refresh_from_db()
    with clock_at(delivery.next_attempt_at + dt.timedelta(seconds=1)):
        return webhook_deliveries_send()


def test_an_event_arrives_signed_with_type_timestamp_and_data(tenant, receiver):
    endpoint = WebhookEndpointFactory(url=receiver.url)
    event = TimelineEventFactory(type="note.added", properties={"text": "Prefers mornings"})

    webhooks_on_events([event])
    assert webhook_deliveries_send() == 1

    assert len(receiver.received) == 1
    got = receiver.received[0]
    body = verify(SECRET, got)
    assert body == {
        "type": "note.added",
        "timestamp": event.occurred_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "data": {
            "event_id": event.pk,
            "contact_id": event.contact_id,
            "occurred_at": body["timestamp"],
            "source": event.source,
            "properties": {"text": "Prefers mornings"},
        },
    }
    assert got.headers["webhook-id"].startswith("msg_")
    assert got.headers["webhook-signature"].startswith("v1,")
    assert got.headers["Content-Type"] == "application/json"
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.attempts, delivery.response_status) == (
        DeliveryStatus.SUCCEEDED,
        1,
        200,
    )
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert attempt.response_body == '{"ok":true}'
    assert attempt.request_headers["webhook-id"] == delivery.message_id


def test_a_forged_or_stale_signature_fails_verification(tenant, receiver):
    WebhookEndpointFactory(url=receiver.url)
    webhooks_on_events([TimelineEventFactory(type="note.added")])
    webhook_deliveries_send()
    got = receiver.received[0]
    verify(SECRET, got)  # as sent: valid

    forged = type(got)(path=got.path, headers=got.headers, body=got.body.replace(b"note", b"nope"))
    with pytest.raises(WebhookVerificationError):
        verify(SECRET, forged)
    with pytest.raises(WebhookVerificationError):  # another secret
        verify("whsec_" + "A" * 32, got)
    other_id = {**got.headers, "webhook-id": "msg_replayed_elsewhere"}
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(got.body, other_id)
    later = timezone.now() + dt.timedelta(minutes=10)  # replayed ten minutes later
    with clock_at(later), pytest.raises(WebhookVerificationError):
        verify(SECRET, got)


def test_each_event_reaches_each_endpoint_once_whatever_reruns(tenant, receiver):
    WebhookEndpointFactory(url=receiver.url)
    WebhookEndpointFactory(url=receiver.url + "/two")
    events = [TimelineEventFactory(type="note.added") for _ in range(3)]

    webhooks_on_events(events)
    webhooks_on_events(events)  # handed the same events again after a failure
    webhook_deliveries_send()
    webhook_deliveries_send()

    assert WebhookDelivery.objects.count() == 6
    assert len(receiver.received) == 6
    ids = [(r.path, json.loads(r.body)["data"]["event_id"]) for r in receiver.received]
    assert len(set(ids)) == 6


def test_an_endpoint_gets_only_the_types_it_chose(tenant, receiver):
    WebhookEndpointFactory(url=receiver.url, event_types=["appointment.booked"])
    webhooks_on_events([TimelineEventFactory(type="note.added")])
    webhooks_on_events([TimelineEventFactory(type="appointment.booked", properties={})])
    webhook_deliveries_send()
    assert [json.loads(r.body)["type"] for r in receiver.received] == ["appointment.booked"]


def test_a_receiver_that_fails_three_times_gets_the_event_on_the_fourth_try(tenant):
    with receiver_running(statuses=[500, 503, 500, 200]) as receiver:
        WebhookEndpointFactory(url=receiver.url)
        webhooks_on_events([TimelineEventFactory(type="note.added")])
        delivery = WebhookDelivery.objects.get()
        webhook_deliveries_send()
        delays = []
        for _ in range(3):
            delivery.refresh_from_db()
            assert delivery.status == DeliveryStatus.PENDING
            delays.append(delivery.next_attempt_at - delivery.last_attempt_at)
            assert webhook_deliveries_send() == 0  # not yet due
            with clock_at(delivery.next_attempt_at + dt.timedelta(seconds=1)):
                assert webhook_deliveries_send() == 1
                verify(SECRET, receiver.received[-1])  # each try is signed afresh

    assert len(receiver.received) == 4
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1  # the same message
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == (
        DeliveryStatus.SUCCEEDED,
        4,
        200,
    )
    # exponential backoff with jitter: about 5 s, 5 min, 30 min
    assert dt.timedelta(seconds=3) < delays[0] < dt.timedelta(seconds=7)
    assert dt.timedelta(minutes=3) < delays[1] < dt.timedelta(minutes=7)
    assert dt.timedelta(minutes=23) < delays[2] < dt.timedelta(minutes=37)
    codes = list(delivery.log.order_by("number").values_list("response_status", flat=True))
    assert codes == [500, 503, 500, 200]


def test_a_delivery_gives_up_after_about_a_day_and_a_replay_sends_it_again(tenant):
    with receiver_running(statuses=[500]) as receiver:
        endpoint = WebhookEndpointFactory(url=receiver.url)
        webhooks_on_events([TimelineEventFactory(type="note.added")])
        delivery = WebhookDelivery.objects.get()
        start = timezone.now()
        webhook_deliveries_send()
        for _ in range(MAX_ATTEMPTS - 1):
            send_due_at(delivery)
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.FAILED
        assert delivery.attempts == MAX_ATTEMPTS
        spent = delivery.last_attempt_at - start
        assert dt.timedelta(hours=20) < spent < dt.timedelta(hours=36)

        receiver.statuses = [200]
        with clock_at(delivery.last_attempt_at + dt.timedelta(minutes=1)):
            webhook_delivery_replay(delivery=delivery)
            assert webhook_deliveries_send() == 1
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.SUCCEEDED
        assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
        endpoint.refresh_from_db()
        assert endpoint.failing_since is None


def test_an_endpoint_failing_for_days_is_turned_off_and_the_owner_told(
    tenant, owner, django_capture_on_commit_callbacks
):
    with (
        receiver_running(statuses=[500]) as receiver,
        django_capture_on_commit_callbacks(execute=True),
    ):
        endpoint = WebhookEndpointFactory(url=receiver.url)
        start = timezone.now()
        mail.outbox.clear()
        for day in range(7):
            with clock_at(start + dt.timedelta(days=day)):
                webhooks_on_events([TimelineEventFactory(type="note.added")])
                webhook_deliveries_send()
            endpoint.refresh_from_db()
            if not endpoint.is_active:
                break
    assert day == 5  # failing since day 0, five days on
    assert endpoint.disabled_reason == "failing"
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert receiver.url in mail.outbox[0].body
    sent = len(receiver.received)
    with clock_at(start + dt.timedelta(days=6)):
        webhooks_on_events([TimelineEventFactory(type="note.added")])  # nothing made while off
        webhook_deliveries_send()
    assert len(receiver.received) == sent


def test_a_rotated_secret_verifies_with_both_during_the_overlap(tenant, receiver):
    endpoint = WebhookEndpointFactory(url=receiver.url)
    start = timezone.now()
    endpoint, new_secret = webhook_endpoint_rotate_secret(endpoint=endpoint, now=start)
    assert new_secret.startswith("whsec_") and new_secret != SECRET

    with clock_at(start + dt.timedelta(hours=23)):
        webhooks_on_events([TimelineEventFactory(type="note.added")])
        webhook_deliveries_send()
        during = receiver.received[-1]
        assert len(during.headers["webhook-signature"].split(" ")) == 2
        verify(SECRET, during)
        verify(new_secret, during)
    with clock_at(start + dt.timedelta(hours=25)):
        webhooks_on_events([TimelineEventFactory(type="note.added")])
        webhook_deliveries_send()
        after = receiver.received[-1]
        verify(new_secret, after)
        with pytest.raises(WebhookVerificationError):
            verify(SECRET, after)


def test_a_replay_sends_the_events_since_a_time_including_the_ones_missed(tenant, receiver):
    contact = ContactFactory()
    old = TimelineEventFactory(contact=contact, type="note.added")
    endpoint, secret = webhook_endpoint_create(url=receiver.url)
    missed = [event_record(contact=contact, type="note.added") for _ in range(2)]
    webhooks_on_events([missed[0]])  # the first one was delivered, the second was missed
    webhook_deliveries_send()
    assert len(receiver.received) == 1

    queued = webhook_endpoint_replay(
        endpoint=endpoint, since=timezone.now() - dt.timedelta(minutes=5)
    )
    webhook_deliveries_send()

    assert queued == 2 + (old.created >= timezone.now() - dt.timedelta(minutes=5))
    got = [json.loads(r.body)["data"]["event_id"] for r in receiver.received]
    assert set(got[1:]) >= {missed[0].pk, missed[1].pk}
    for received in receiver.received:
        verify(secret, received)


def test_a_broken_receiver_is_a_failed_attempt_not_an_error(tenant):
    endpoint = WebhookEndpointFactory(url="http://127.0.0.1:9/closed")  # nothing listens
    webhooks_on_events([TimelineEventFactory(type="note.added")])
    assert webhook_deliveries_send() == 1
    attempt = WebhookAttempt.objects.get(delivery__endpoint=endpoint)
    assert attempt.response_status is None and attempt.error
    assert WebhookDelivery.objects.get().status == DeliveryStatus.PENDING


# --- a delivery to one chosen endpoint (a journey's call) -----------------------------------
def test_a_delivery_for_a_chosen_endpoint_is_made_once(tenant):
    from django.core.exceptions import ValidationError as _Refused

    from apps.webhooks.services import webhook_delivery_create_for, webhook_endpoint_disable

    endpoint = WebhookEndpointFactory()
    event = TimelineEventFactory()
    first = webhook_delivery_create_for(event=event, endpoint=endpoint)
    again = webhook_delivery_create_for(event=event, endpoint=endpoint)
    assert first.pk == again.pk and WebhookDelivery.objects.count() == 1
    webhook_endpoint_disable(endpoint=endpoint)
    with pytest.raises(_Refused) as error:
        webhook_delivery_create_for(event=TimelineEventFactory(), endpoint=endpoint)
    assert "endpoint" in error.value.message_dict
