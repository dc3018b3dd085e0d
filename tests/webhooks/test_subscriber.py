"""Webhooks in a real run of the timeline subscribers (committed data, the cursor and horizon
of apps/contacts/events.py): an event recorded by the app arrives once at the receiver and
verifies with the `standardwebhooks` package, also when the run is handed it again."""

from __future__ import annotations

import time

from standardwebhooks.webhooks import Webhook

from apps.appointments.services import appointment_book
from apps.contacts import events
from apps.contacts.models import SubscriberCursor
from apps.webhooks.models import DeliveryStatus, WebhookDelivery
from apps.webhooks.services import webhook_deliveries_send, webhook_endpoint_create
from tests.appointments.factories import ServiceFactory, StaffMemberFactory, week_hours
from tests.contacts.factories import ContactFactory
from tests.helpers.clock import next_week_at
from tests.helpers.receiver import receiver_running


def run_until(count: int, timeout: float = 30) -> int:
    """Run the subscribers until `count` deliveries exist (other databases' transactions on
    the same server can hold the horizon back for a moment)."""
    deadline = time.monotonic() + timeout
    while True:
        events.timeline_subscribers_run()
        found = WebhookDelivery.objects.count()
        if found >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_a_booking_made_in_the_app_arrives_once_and_verifies(committed_tenant):
    weber = StaffMemberFactory(name="Dr. Weber")
    week_hours(weber)
    checkup, contact = ServiceFactory(name="Check-up", staff=[weber]), ContactFactory()
    with receiver_running() as receiver:
        endpoint, secret = webhook_endpoint_create(
            url=receiver.url, event_types=["appointment.booked"]
        )
        appointment = appointment_book(
            service=checkup,
            starts_at=next_week_at(10),
            contact=contact,
            source="online",
        )
        assert run_until(1) == 1
        assert webhook_deliveries_send() == 1
        # handed the same events again (a run that failed after writing): nothing new
        SubscriberCursor.objects.filter(name="webhooks").update(txid=0, event_id=0)
        events.timeline_subscribers_run()
        webhook_deliveries_send()

        assert len(receiver.received) == 1
        got = receiver.received[0]
        body = Webhook(secret).verify(got.body, got.headers)
    assert body["type"] == "appointment.booked"
    assert body["data"]["contact_id"] == contact.pk
    assert body["data"]["properties"]["appointment_id"] == appointment.pk
    delivery = WebhookDelivery.objects.get()
    assert (delivery.endpoint_id, delivery.status) == (endpoint.pk, DeliveryStatus.SUCCEEDED)
