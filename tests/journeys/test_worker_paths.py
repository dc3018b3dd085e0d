"""Journeys' paths through a real worker and two real beats (tick: 1 s), nothing called by
hand but the events a partner or the staff would post: "wait until an event" takes the event
branch and the time-out branch; the goal exits; a retried step sends one message; a new
version leaves running enrollments on the old one; a segment entry triggers; a date trigger
fires in the contact's zone; the payment reminder switches to SMS and stops when the invoice
is paid; the offer step picks by priority, then by acceptance rate, and records why.

Waits are a few seconds long (`seconds`, as a test run shortens them); the trigger events
reach the journeys through the timeline subscriber's task, run by the worker."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

import pytest
from django.utils import timezone

from apps.contacts.services import contacts_tag, event_record, segment_create
from apps.journeys.models import Enrollment, Journey, Offer, OfferMade, StepRun
from apps.journeys.services import (
    journey_activate,
    journey_from_template,
    offer_save,
    version_steps_set,
)
from apps.messaging.models import Message
from apps.scheduling.services import due_work_register
from tests.helpers.clock import BERLIN, clock_at
from tests.helpers.worker import Stack, _redis_url, wait_for

from .factories import live_journey, reachable_contact, send

pytestmark = pytest.mark.worker
SUBSCRIBERS = "apps.contacts.tasks.timeline_subscribers_run_task"
# what should happen within a tick or two; generous, as the timeline subscriber waits for
# every transaction older than an event's to finish (on a shared server, others' too)
SOON = 90


@contextmanager
def running(tmp_path, at: dt.datetime | None = None) -> Iterator[Stack]:
    """A worker and two beats, on a clock started at `at` (ticking) when given; the journeys
    and offers made inside are removed afterwards (the committed tenant empties the rest)."""
    journeys = set(Journey.objects.values_list("pk", flat=True))
    offers = set(Offer.objects.values_list("pk", flat=True))
    with clock_at(at, tick=True) if at else nullcontext():
        stack = Stack("redis" if _redis_url() else "folder", tmp_path)
        try:
            stack.wait_ready()
            yield stack
        finally:
            stack.stop()
            made = Journey.objects.exclude(pk__in=journeys)
            Enrollment.objects.filter(journey__in=made).delete()
            made.update(live_version=None)
            made.delete()
            Offer.objects.exclude(pk__in=offers).delete()


def post(stack: Stack, contact, type_: str, **properties) -> None:
    """A partner's (or the staff's) event, handed to the worker's timeline subscriber run."""
    event_record(contact=contact, type=type_, properties=properties)
    stack.send(SUBSCRIBERS, schema="alpha")


def bodies(contact) -> list[str]:
    """What each message to the contact said, without the greeting and the sign-off."""
    sent = Message.objects.filter(contact=contact).order_by("pk").values_list("body", flat=True)
    return [body.split("\n\n")[1] if body.count("\n\n") >= 2 else body for body in sent]


def status(journey, contact) -> str:
    return Enrollment.objects.get(journey=journey, contact=contact).status


def short_wait(step_id: str, seconds: int, **extra) -> dict:
    return {
        "id": step_id,
        "type": "wait",
        "config": {"mode": "duration", "minutes": 0, "seconds": seconds},
        **extra,
    }


def test_wait_until_an_event_takes_the_event_branch_and_the_time_out_branch(
    committed_tenant, tmp_path
):
    steps = [
        {
            "id": "w",
            "type": "wait",
            "config": {"mode": "event", "event_type": "invoice.paid", "minutes": 0, "seconds": 30},
            "else": "late",
        },
        send("thanks", text="Thanks for paying"),
        {"id": "end", "type": "exit", "config": {}},
        send("late", text="Still open"),
    ]
    with running(tmp_path) as stack:
        journey = live_journey(
            steps=steps, trigger={"kind": "event", "event_type": "invoice.overdue"}
        )
        payer, late = reachable_contact(), reachable_contact()
        post(stack, payer, "invoice.overdue", invoice_id="P")
        post(stack, late, "invoice.overdue", invoice_id="L")
        waiting = lambda: Enrollment.objects.filter(  # noqa: E731
            journey=journey, waiting_for="invoice.paid"
        ).count()
        assert wait_for(lambda: waiting() == 2, SOON), stack.log("worker")[-3000:]
        post(stack, payer, "invoice.paid", invoice_id="OTHER")  # another invoice: no effect
        post(stack, payer, "invoice.paid", invoice_id="P")
        assert wait_for(lambda: bodies(payer) == ["Thanks for paying"], SOON)
        assert bodies(late) == []  # its time-out has not come yet
        assert wait_for(lambda: bodies(late) == ["Still open"], SOON)
        assert bodies(payer) == ["Thanks for paying"]
        outcomes = dict(
            StepRun.objects.filter(
                enrollment__journey=journey, step_type="wait_result"
            ).values_list("enrollment__contact_id", "outcome")
        )
        assert outcomes == {payer.pk: "event", late.pk: "timeout"}
        assert wait_for(
            lambda: {status(journey, payer), status(journey, late)} == {"exited", "completed"}, SOON
        )


def test_the_goal_exits_the_contact(committed_tenant, tmp_path):
    with running(tmp_path) as stack:
        journey = live_journey(
            steps=[send("s1", text="First"), short_wait("w", 600), send("s2", text="Second")],
            trigger={"kind": "event", "event_type": "invoice.overdue"},
            goal={"event_type": "invoice.paid", "within_days": 30},
        )
        pays, ignores = reachable_contact(), reachable_contact()
        post(stack, pays, "invoice.overdue", invoice_id="A")
        post(stack, ignores, "invoice.overdue", invoice_id="B")
        assert wait_for(lambda: bodies(pays) == ["First"] and bodies(ignores) == ["First"], SOON)
        post(stack, pays, "invoice.paid", invoice_id="B")  # the other one's invoice
        post(stack, pays, "invoice.paid", invoice_id="A")
        assert wait_for(lambda: status(journey, pays) == "converted", SOON)
        enrollment = Enrollment.objects.get(journey=journey, contact=pays)
        assert enrollment.converted_at is not None and enrollment.next_at is None
        assert enrollment.exit_reason == "invoice.paid"
        assert status(journey, ignores) == "active"  # still waiting for its second message


def test_a_retried_step_sends_one_message(committed_tenant, tmp_path):
    """The message left, then the step's transaction was lost (a worker killed before it
    committed): the step runs again and finds its message; and the sweep sent again and
    again (a redelivered task, two worker processes at once) moves nobody twice."""
    from apps.messaging.services.sending import message_send

    with running(tmp_path) as stack:
        journey = live_journey(steps=[short_wait("w", 4), send("s", text="Once only")])
        contacts = [reachable_contact() for _ in range(3)]
        for n, contact in enumerate(contacts):
            post(stack, contact, "order.ready", order_id=str(n))
        assert wait_for(
            lambda: StepRun.objects.filter(enrollment__journey=journey, step_id="w").count() == 3,
            SOON,
        )
        lost = Enrollment.objects.get(journey=journey, contact=contacts[0])
        message_send(  # the send step is the enrollment's second: its key ends in 2
            contact=contacts[0],
            purpose="journey",
            channel="email",
            context={"subject": "Hi", "text": "Once only"},
            dedupe_key=f"journey:{lost.pk}:2",
        )
        for _ in range(4):
            stack.send_sweep("alpha")
        assert wait_for(
            lambda: (
                set(Enrollment.objects.filter(journey=journey).values_list("status", flat=True))
                == {"completed"}
            ),
            SOON,
        )
        for _ in range(3):
            stack.send_sweep("alpha")
        time.sleep(3)  # what the extra sweeps might have done
        for contact in contacts:
            assert bodies(contact) == ["Once only"], contact
        assert StepRun.objects.filter(enrollment__journey=journey, step_id="s").count() == 3


def test_a_new_version_leaves_running_enrollments_on_the_old_one(committed_tenant, tmp_path):
    with running(tmp_path) as stack:
        journey = live_journey(steps=[short_wait("w", 6), send("old", text="Old path")])
        first = reachable_contact()
        post(stack, first, "order.ready", order_id="1")
        assert wait_for(lambda: Enrollment.objects.filter(journey=journey).exists(), SOON)
        old_version = journey.live_version
        version_steps_set(journey=journey, steps=[send("new", text="New path")])
        journey = journey_activate(journey=journey)
        assert journey.live_version != old_version
        second = reachable_contact()
        post(stack, second, "order.ready", order_id="2")
        assert wait_for(lambda: bodies(second) == ["New path"], SOON)
        assert wait_for(lambda: bodies(first) == ["Old path"], SOON)
        assert Enrollment.objects.get(contact=first).version == old_version
        assert Enrollment.objects.get(contact=second).version == journey.live_version


def test_a_segment_entry_triggers(committed_tenant, tmp_path):
    """The contact is tagged; the periodic membership refresh (due work, run by the worker)
    sees them enter the segment, and `segment.entered` starts the journey."""
    from apps.contacts.services.membership import MEMBERSHIP_REFRESH

    vip = segment_create(
        name="VIP", rules={"op": "and", "rules": [{"field": "tags", "cmp": "has", "value": "vip"}]}
    )
    with running(tmp_path) as stack:
        journey = live_journey(
            steps=[send("s", text="Welcome to the club")],
            trigger={"kind": "segment", "segment_id": vip.pk},
        )
        joins, stays_out = reachable_contact(), reachable_contact()
        contacts_tag(contact_ids=[joins.pk], add=["vip"])
        due_work_register(kind=MEMBERSHIP_REFRESH, ref="all", due_at=timezone.now())
        stack.send(SUBSCRIBERS, schema="alpha")  # whichever process noticed the entry
        assert wait_for(lambda: bodies(joins) == ["Welcome to the club"], SOON), stack.log(
            "worker"
        )[-3000:]
        assert list(journey.enrollments.values_list("contact_id", flat=True)) == [joins.pk]
        assert bodies(stays_out) == []


def test_a_date_trigger_fires_in_the_contacts_zone(committed_tenant, tmp_path):
    """09:00:02 in Berlin on 4 May (07:00 UTC): the Berliner whose birthday it is enters; the
    New Yorker with the same birthday does not (03:00 there). In Honolulu it is still 3 May,
    21:00: the one born on 3 May enters, the one born on 4 May does not (tomorrow there)."""
    start = dt.datetime(2027, 5, 4, 9, 0, 2, tzinfo=BERLIN)
    with running(tmp_path, at=start):
        berliner = reachable_contact(birthday=dt.date(1990, 5, 4))
        new_yorker = reachable_contact(birthday=dt.date(1990, 5, 4), time_zone="America/New_York")
        honolulu_today = reachable_contact(
            birthday=dt.date(1985, 5, 3), time_zone="Pacific/Honolulu"
        )
        honolulu_tomorrow = reachable_contact(
            birthday=dt.date(1985, 5, 4), time_zone="Pacific/Honolulu"
        )
        journey = live_journey(
            steps=[send("s", text="Happy birthday {first_name}")],
            trigger={"kind": "date", "field": "birthday", "offset_days": 0, "at": "09:00"},
        )
        assert wait_for(
            lambda: len(bodies(berliner)) == 1 and len(bodies(honolulu_today)) == 1, SOON
        )
        assert dict(journey.enrollments.values_list("contact_id", "entry_key")) == {
            berliner.pk: "date:2027-05-04",
            honolulu_today.pk: "date:2027-05-03",
        }
        assert bodies(new_yorker) == [] and bodies(honolulu_tomorrow) == []


def test_the_payment_reminder_switches_to_sms_and_stops_when_the_invoice_is_paid(
    committed_tenant, tmp_path
):
    """The template as it ships, its waits shortened to seconds: the contact who ignores the
    e-mail gets the text, then the payment plan; the one who pays stops at once."""
    monday = dt.datetime(2027, 5, 3, 10, 0, tzinfo=BERLIN)  # inside the working hours
    invoice = {"amount": "80.00", "currency": "EUR", "due_date": "2027-04-30"}
    with running(tmp_path, at=monday) as stack:
        offer_save(name="Payment plan", text="Pay in three parts", accepted_event="invoice.paid")
        journey = journey_from_template(key="payment_reminder")
        draft = journey.versions.get(status="draft")
        shortened = [
            {**step, "config": {"mode": "duration", "minutes": 0, "seconds": 6 if n < 3 else 2}}
            if step["type"] == "wait" and step["config"].get("mode") == "duration"
            else step
            for n, step in enumerate(draft.steps)
        ]
        version_steps_set(journey=journey, steps=shortened)
        journey = journey_activate(journey=journey)
        ignores, pays = reachable_contact(), reachable_contact()
        post(stack, ignores, "invoice.overdue", invoice_id="INV-1", **invoice)
        post(stack, pays, "invoice.overdue", invoice_id="INV-2", **invoice)
        emails = Message.objects.filter(contact__in=[ignores, pays], channel="email")
        assert wait_for(lambda: emails.count() == 2, SOON), stack.log("worker")[-3000:]
        assert "80.00 EUR" in emails.first().body
        post(stack, pays, "invoice.paid", invoice_id="INV-2", amount="80.00")
        assert wait_for(lambda: status(journey, pays) == "converted", SOON)
        sms = Message.objects.filter(channel="sms")
        assert wait_for(lambda: sms.filter(contact=ignores).count() == 1, SOON)
        offer = lambda: StepRun.objects.filter(  # noqa: E731
            enrollment__contact=ignores, step_type="offer"
        ).first()
        assert wait_for(lambda: offer() is not None, SOON)
        assert offer().detail["offer"] == "Payment plan"
        assert not sms.filter(contact=pays).exists()
        assert list(Message.objects.filter(contact=pays).values_list("channel", flat=True)) == [
            "email"
        ]
        post(stack, ignores, "invoice.paid", invoice_id="INV-1")
        assert wait_for(lambda: status(journey, ignores) == "converted", SOON)
        sent = Message.objects.filter(contact=ignores).count()
        time.sleep(3)
        assert Message.objects.filter(contact=ignores).count() == sent  # nothing after paying


def test_the_offer_step_picks_by_priority_then_acceptance_and_records_why(
    committed_tenant, tmp_path
):
    with running(tmp_path) as stack:
        now = timezone.now()
        low = offer_save(
            name="Small", text="Small offer", accepted_event="purchase.made", priority=1
        )
        plan = offer_save(name="Plan", text="Plan offer", accepted_event="invoice.paid", priority=5)
        upgrade = offer_save(
            name="Upgrade", text="Upgrade offer", accepted_event="purchase.made", priority=5
        )
        for n in range(4):  # history: the upgrade is accepted three times in four, the plan never
            other = reachable_contact()
            made = now - dt.timedelta(days=5)
            accepted = now - dt.timedelta(days=4) if n < 3 else None
            OfferMade.objects.create(
                offer=upgrade, contact=other, made_at=made, accepted_at=accepted
            )
            OfferMade.objects.create(offer=plan, contact=other, made_at=made)
        journey = live_journey(steps=[{"id": "o", "type": "offer", "config": {"channel": "email"}}])
        contact = reachable_contact()
        post(stack, contact, "order.ready", order_id="1")
        assert wait_for(lambda: bodies(contact) != [], SOON), stack.log("worker")[-3000:]
        run = StepRun.objects.get(enrollment__journey=journey, step_type="offer")
        assert run.detail["offer"] == "Upgrade"
        assert "3 of 4 accepted" in run.detail["why"]
        assert "Upgrade offer" in bodies(contact)[0]
        assert not low.made.exists()
        post(stack, contact, "purchase.made", amount="10")
        assert wait_for(
            lambda: OfferMade.objects.get(contact=contact).accepted_at is not None, SOON
        )
