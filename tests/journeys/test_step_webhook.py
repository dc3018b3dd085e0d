"""The partner webhook step: one `journey.webhook` event and one delivery to the chosen
endpoint per enrollment and step, however often the step is retried; an endpoint that is
unknown here, another business's or turned off is refused when the journey is saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.contacts.models import TimelineEvent
from apps.journeys.models import Enrollment, StepRun
from apps.journeys.services import journey_advance, version_steps_set
from apps.journeys.step_webhook import endpoint_clean
from apps.webhooks.models import WebhookDelivery
from apps.webhooks.services import webhook_endpoint_disable, webhooks_on_events
from tests.helpers.clock import BERLIN, clock_at, local, today
from tests.webhooks.factories import WebhookEndpointFactory

from .factories import live_journey, reachable_contact, send

NOON = local(today(BERLIN) + dt.timedelta(days=1), 12, 0, BERLIN)


def call(step_id: str, endpoint_id) -> dict:
    return {"id": step_id, "type": "webhook", "config": {"endpoint_id": endpoint_id}}


@pytest.fixture
def at_noon(tenant):
    with clock_at(NOON) as traveller:
        yield traveller


def enter(journey, contacts, *, trigger=None):
    now = timezone.now()
    return Enrollment.objects.bulk_create(
        Enrollment(
            journey=journey,
            version=journey.live_version,
            contact=c,
            entry_key=f"order_id:{c.pk}",
            trigger_properties=trigger or {"order_id": f"A-{c.pk}"},
            current_step=journey.live_version.steps[0]["id"],
            next_at=now,
            entered_at=now,
        )
        for c in contacts
    )


def test_the_step_sends_one_delivery_to_the_chosen_endpoint_and_goes_on(at_noon):
    chosen, other = WebhookEndpointFactory(), WebhookEndpointFactory()  # other takes every type
    journey = live_journey(steps=[call("w", chosen.pk), send("s", text="Ready")])
    contact = reachable_contact()
    (enrollment,) = enter(journey, [contact], trigger={"order_id": "A-7", "amount": "40"})
    journey_advance(journey=journey, now=timezone.now())
    event = TimelineEvent.objects.get(type="journey.webhook")
    assert event.client_event_id == f"journey:{enrollment.pk}:1"
    assert event.properties["trigger"] == {"order_id": "A-7", "amount": "40"}
    assert event.properties["step_id"] == "w" and event.properties["journey_id"] == journey.pk
    delivery = WebhookDelivery.objects.get()
    assert delivery.endpoint == chosen and delivery.event == event
    assert delivery.payload["data"]["properties"]["entry_key"] == enrollment.entry_key
    # the timeline subscriber sends the addressed event to no other endpoint
    webhooks_on_events([event])
    assert list(WebhookDelivery.objects.values_list("endpoint_id", flat=True)) == [chosen.pk]
    assert not WebhookDelivery.objects.filter(endpoint=other).exists()
    run = StepRun.objects.get(enrollment=enrollment, step_type="webhook")
    assert run.outcome == "called" and run.detail["delivery_id"] == delivery.pk
    enrollment.refresh_from_db()
    assert enrollment.status == "completed"


def test_a_retried_step_records_and_sends_nothing_more(at_noon):
    endpoint = WebhookEndpointFactory()
    journey = live_journey(steps=[call("w", endpoint.pk)])
    contact = reachable_contact()
    (enrollment,) = enter(journey, [contact])
    journey_advance(journey=journey, now=timezone.now())
    # the step's record is lost (a worker died after the side effect): the step runs again
    StepRun.objects.filter(enrollment=enrollment).delete()
    Enrollment.objects.filter(pk=enrollment.pk).update(
        status="active", current_step="w", step_seq=0, next_at=timezone.now(), finished_at=None
    )
    journey_advance(journey=journey, now=timezone.now() + dt.timedelta(minutes=5))
    assert TimelineEvent.objects.filter(type="journey.webhook").count() == 1
    assert WebhookDelivery.objects.count() == 1
    run = StepRun.objects.get(enrollment=enrollment)
    assert run.detail["delivery_id"] == WebhookDelivery.objects.get().pk


def test_an_endpoint_turned_off_after_saving_is_skipped(at_noon):
    endpoint = WebhookEndpointFactory()
    journey = live_journey(steps=[call("w", endpoint.pk)])
    webhook_endpoint_disable(endpoint=endpoint)
    (enrollment,) = enter(journey, [reachable_contact()])
    journey_advance(journey=journey, now=timezone.now())
    assert not WebhookDelivery.objects.exists()
    assert StepRun.objects.get(enrollment=enrollment).outcome == "skipped"


def test_a_test_run_calls_nobody(at_noon):
    endpoint = WebhookEndpointFactory()
    journey = live_journey(steps=[call("w", endpoint.pk)])
    (enrollment,) = enter(journey, [reachable_contact()])
    Enrollment.objects.filter(pk=enrollment.pk).update(test_run=True)
    journey_advance(journey=journey, now=timezone.now())
    assert not WebhookDelivery.objects.exists()
    assert not TimelineEvent.objects.filter(type="journey.webhook").exists()


@pytest.mark.parametrize("value", [None, "", "abc", 999_999])
def test_an_unknown_endpoint_is_refused_naming_the_field(tenant, value):
    with pytest.raises(ValidationError) as error:
        endpoint_clean({"endpoint_id": value})
    assert "endpoint_id" in error.value.message_dict


def test_another_business_endpoint_is_refused(tenant, other_tenant):
    with schema_context(other_tenant.schema_name):
        theirs = WebhookEndpointFactory()
    connection.set_tenant(tenant)
    with pytest.raises(ValidationError) as error:
        endpoint_clean({"endpoint_id": theirs.pk})
    assert "Choose a webhook endpoint of this business." in error.value.message_dict["endpoint_id"]


def test_a_turned_off_endpoint_is_refused_when_saving(tenant):
    endpoint = WebhookEndpointFactory()
    webhook_endpoint_disable(endpoint=endpoint)
    journey = live_journey(steps=[send("s", text="Hello")])
    with pytest.raises(ValidationError) as error:
        version_steps_set(journey=journey, steps=[call("w", endpoint.pk)])
    assert "turned off" in " ".join(error.value.message_dict["steps.0.endpoint_id"])
