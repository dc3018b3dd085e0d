"""The demo's example endpoint: turned off, with the week's booking events waiting in its log."""

from __future__ import annotations

import random

import pytest

from apps.webhooks.demo import demo_seed
from apps.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tests.contacts.factories import TimelineEventFactory

pytestmark = pytest.mark.django_db


def test_the_demo_endpoint_is_off_with_the_bookings_waiting(tenant):
    booked = [TimelineEventFactory(type="appointment.booked", properties={}) for _ in range(3)]
    TimelineEventFactory(type="note.added")

    demo_seed(tenant=tenant, rng=random.Random(2026))

    endpoint = WebhookEndpoint.objects.get()
    assert not endpoint.is_active and endpoint.disabled_reason == "manual"
    waiting = WebhookDelivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING)
    assert sorted(waiting.values_list("event_id", flat=True)) == [e.pk for e in booked]
