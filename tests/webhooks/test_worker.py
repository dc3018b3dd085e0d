"""Webhook delivery in a real Celery worker with its beats: an event recorded by the app
reaches the receiver once, signed; a receiver that fails first gets it on the retry, which
due work brings back (the retry's time is a row, not a message a restart could lose)."""

from __future__ import annotations

import pytest
from standardwebhooks.webhooks import Webhook

from apps.contacts.services import event_record
from apps.webhooks.models import DeliveryStatus, WebhookDelivery
from apps.webhooks.services import webhook_endpoint_create
from tests.contacts.factories import ContactFactory
from tests.helpers.receiver import receiver_running
from tests.helpers.worker import Stack, _redis_url, wait_for

pytestmark = pytest.mark.worker


@pytest.fixture
def stack(committed_tenant, tmp_path):
    running = Stack("redis" if _redis_url() else "folder", tmp_path)
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()


def test_a_worker_delivers_once_and_retries_through_due_work(stack, committed_tenant):
    with receiver_running(statuses=[503, 200]) as receiver:
        _endpoint, secret = webhook_endpoint_create(url=receiver.url)
        contact = ContactFactory()
        event = event_record(contact=contact, type="note.added", properties={"text": "hello"})
        # what the after-commit wake-up of the recording transaction sends
        stack.send("apps.contacts.tasks.timeline_subscribers_run_task", schema="alpha")
        assert wait_for(lambda: len(receiver.received) >= 1, 30), stack.log("worker")[-3000:]
        # the retry is booked about 5 s on; the beat's tick sends it
        assert wait_for(lambda: len(receiver.received) >= 2, 40), stack.log("worker")[-3000:]
        assert wait_for(
            lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.SUCCEEDED).exists(), 10
        )
        stack.send("apps.contacts.tasks.timeline_subscribers_run_task", schema="alpha")
        stack.send("apps.webhooks.tasks.webhook_deliveries_send_task", schema="alpha")
        assert not wait_for(lambda: len(receiver.received) > 2, 3)
        last = receiver.received[-1]
        body = Webhook(secret).verify(last.body, last.headers)
    assert body["data"]["event_id"] == event.pk
    assert receiver.received[0].headers["webhook-id"] == last.headers["webhook-id"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 2
