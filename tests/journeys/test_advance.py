"""Advancing in batches: everyone at the same step moves together in a number of statements
that does not grow with the batch, each message leaves once under its own key, and one
contact's failing step holds nobody back."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.journeys.models import Enrollment, EnrollmentStatus, StepRun
from apps.journeys.registries import step_types
from apps.journeys.services import journey_advance
from apps.messaging.models import Message
from apps.messaging.services.sending import message_send
from tests.helpers.clock import BERLIN, clock_at, local, today

from .factories import live_journey, reachable_contact, send, wait

NOON = local(today(BERLIN) + dt.timedelta(days=1), 12, 0, BERLIN)


@pytest.fixture
def at_noon(tenant):
    with clock_at(NOON) as traveller:
        yield traveller


def enter(journey, contacts, key=lambda c: f"order_id:{c.pk}"):
    now = timezone.now()
    return Enrollment.objects.bulk_create(
        Enrollment(
            journey=journey,
            version=journey.live_version,
            contact=contact,
            entry_key=key(contact),
            current_step=journey.live_version.steps[0]["id"],
            next_at=now,
            trigger_properties={"order_id": contact.pk},
            entered_at=now,
        )
        for contact in contacts
    )


def three_steps():
    return live_journey(
        steps=[send("s1", text="Order {order_id} ready"), wait("w", 0), send("s2", text="Again")]
    )


def queries_to_finish(journey) -> int:
    with CaptureQueriesContext(connection) as captured:
        while journey_advance(journey=journey, now=timezone.now()):
            pass
    return len(captured.captured_queries)


def test_the_statements_of_a_batch_do_not_grow_with_its_size(at_noon):
    warm, small, large = three_steps(), three_steps(), three_steps()
    enter(warm, [reachable_contact() for _ in range(2)])  # what is read once per process
    queries_to_finish(warm)
    enter(small, [reachable_contact() for _ in range(3)])
    enter(large, [reachable_contact() for _ in range(30)])
    few, many = queries_to_finish(small), queries_to_finish(large)
    assert many == few  # 3 or 30 contacts: the same statements
    assert many <= 45
    assert Message.objects.count() == 70
    assert set(Enrollment.objects.values_list("status", flat=True)) == {"completed"}
    assert StepRun.objects.count() == 105
    bodies = set(Message.objects.filter(body__contains="ready").values_list("body", flat=True))
    assert len(bodies) == 35  # each contact's own order number


def test_two_enrollments_of_one_contact_at_the_same_step_each_get_their_message(at_noon):
    journey = three_steps()
    contact = reachable_contact()
    keys = iter(["invoice_id:A", "invoice_id:B"])
    enter(journey, [contact, contact], key=lambda _contact: next(keys))
    journey_advance(journey=journey, now=timezone.now())
    assert Message.objects.filter(contact=contact).count() == 4
    assert set(Enrollment.objects.values_list("status", flat=True)) == {"completed"}


def test_a_retried_batch_sends_one_message_each_and_records_the_first(at_noon):
    journey = three_steps()
    contacts = [reachable_contact() for _ in range(4)]
    enrollments = enter(journey, contacts)
    # the messages of two of them left, then the transaction recording the steps was lost
    first = [
        message_send(
            contact=e.contact,
            purpose="journey",
            channel="email",
            context={"subject": "Hi", "text": "x"},
            dedupe_key=f"journey:{e.pk}:1",
        )
        for e in enrollments[:2]
    ]
    journey_advance(journey=journey, now=timezone.now())
    assert Message.objects.count() == 8
    recorded = dict(
        StepRun.objects.filter(seq=1).values_list("enrollment_id", "detail__message_id")
    )
    assert recorded[enrollments[0].pk] == first[0].pk
    assert recorded[enrollments[1].pk] == first[1].pk


def test_one_contact_failing_holds_nobody_back_and_keeps_the_steps_before(at_noon):
    journey = three_steps()
    contacts = [reachable_contact() for _ in range(4)]
    unlucky = contacts[2]
    real = step_types["send"]

    def run(ctx):
        if ctx.contact.pk == unlucky.pk and ctx.step["id"] == "s2":
            raise RuntimeError("provider down")
        return real.run(ctx)

    def run_many(contexts):
        if any(ctx.contact.pk == unlucky.pk for ctx in contexts):
            raise RuntimeError("provider down")
        return real.run_many(contexts)

    flaky = dataclasses.replace(real, run=run, run_many=run_many)
    enter(journey, contacts)
    with step_types.override("send", flaky):
        journey_advance(journey=journey, now=timezone.now())
    stuck = Enrollment.objects.get(contact=unlucky)
    assert stuck.status == EnrollmentStatus.ACTIVE
    assert (stuck.step_seq, stuck.current_step, stuck.attempts) == (2, "s2", 1)
    assert stuck.next_at > timezone.now()
    assert Message.objects.filter(contact=unlucky).count() == 1
    others = Enrollment.objects.exclude(contact=unlucky)
    assert set(others.values_list("status", flat=True)) == {"completed"}
    assert Message.objects.exclude(contact=unlucky).count() == 6
