"""The templates from real practice: each one is a valid journey, and the payment reminder
switches to SMS for a contact who ignores the e-mail, offers the payment plan and stops the
moment its invoice is paid."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.contacts.services import custom_field_create, event_record, segment_create
from apps.journeys.models import Enrollment, StepRun
from apps.journeys.services import (
    journey_activate,
    journey_advance,
    journey_from_template,
    journeys_on_events,
    offer_save,
)
from apps.journeys.templates_catalogue import journey_templates
from apps.messaging.models import Message
from tests.helpers.clock import BERLIN, clock_at

from .factories import reachable_contact

MONDAY = dt.datetime(2027, 5, 3, 10, 0, tzinfo=BERLIN)
INVOICE = {"invoice_id": "INV-1", "amount": "80.00", "currency": "EUR", "due_date": "2027-04-30"}


def post(contact, type_: str, **properties):
    journeys_on_events([event_record(contact=contact, type=type_, properties=properties)])


@pytest.mark.parametrize("key", [t.key for t in journey_templates()])
def test_every_template_can_be_activated(tenant, key):
    custom_field_create(key="renewal_date", label="Renewal", type="date")
    segment = segment_create(
        name="At risk",
        rules={"op": "and", "rules": [{"field": "tags", "cmp": "has", "value": "risk"}]},
    )
    journey = journey_from_template(key=key, segment_id=segment.pk)
    assert journey_activate(journey=journey).status == "active"


def run(journey, at: dt.datetime) -> None:
    with clock_at(at):
        journey_advance(journey=journey, now=at)


def test_the_payment_reminder_switches_to_sms_and_stops_when_paid(tenant):
    with clock_at(MONDAY):
        offer_save(name="Payment plan", text="Pay in three parts", accepted_event="invoice.paid")
        journey = journey_activate(journey=journey_from_template(key="payment_reminder"))
        ignores, pays = reachable_contact(), reachable_contact()
        post(ignores, "invoice.overdue", **INVOICE)
        post(pays, "invoice.overdue", **{**INVOICE, "invoice_id": "INV-2"})
    run(journey, MONDAY)
    emails = Message.objects.filter(channel="email")
    assert emails.count() == 2 and "80.00 EUR" in emails.first().body
    thursday = MONDAY + dt.timedelta(days=3, minutes=1)
    with clock_at(MONDAY + dt.timedelta(days=1)):
        post(pays, "invoice.paid", invoice_id="INV-2", amount="80.00")
    run(journey, thursday)
    assert list(Message.objects.filter(channel="sms").values_list("contact_id", flat=True)) == [
        ignores.pk
    ]
    assert Enrollment.objects.get(contact=pays).status == "converted"
    run(journey, thursday + dt.timedelta(days=4, minutes=1))
    offer = StepRun.objects.get(step_type="offer", enrollment__contact=ignores)
    assert offer.detail["offer"] == "Payment plan"
    with clock_at(thursday + dt.timedelta(days=5)):
        post(ignores, "invoice.paid", invoice_id="INV-1")
    assert Enrollment.objects.get(contact=ignores).status == "converted"
