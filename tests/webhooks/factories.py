"""Factories of webhooks: an endpoint (with a known secret) and a delivery of an event."""

from __future__ import annotations

import factory
from django.utils import timezone

from apps.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from apps.webhooks.services.deliveries import webhook_payload
from apps.webhooks.services.endpoints import _encrypt
from tests.contacts.factories import TimelineEventFactory

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookEndpoint

    url = factory.Sequence(lambda n: f"https://hooks{n}.example.com/cxsuite")
    description = "Booking widget"
    event_types: list[str] = []
    secret_encrypted = factory.LazyFunction(lambda: _encrypt(SECRET))


class WebhookDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookDelivery

    endpoint = factory.SubFactory(WebhookEndpointFactory)
    event = factory.SubFactory(TimelineEventFactory)
    message_id = factory.Sequence(lambda n: f"msg_factory{n:08d}")
    event_type = factory.LazyAttribute(lambda d: d.event.type)
    payload = factory.LazyAttribute(lambda d: webhook_payload(d.event))


class WebhookAttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookAttempt

    delivery = factory.SubFactory(WebhookDeliveryFactory)
    number = 1
    attempted_at = factory.LazyFunction(timezone.now)
    url = factory.LazyAttribute(lambda a: a.delivery.endpoint.url)
    request_headers = factory.LazyAttribute(lambda a: {"webhook-id": a.delivery.message_id})
    response_status = 500
    response_body = "Internal Server Error"
    duration_ms = 120
