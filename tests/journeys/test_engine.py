"""The engine without a worker: entries per key, waits, branches, goals, exits, versions,
offers, windows and the traps (daylight saving, zone edits, machine clicks, pause)."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.contacts.models import TimelineEvent
from apps.contacts.services import contact_update, event_record
from apps.journeys.models import Enrollment, EnrollmentStatus, OfferMade, StepRun
from apps.journeys.services import (
    journey_activate,
    journey_advance,
    journey_pause,
    journey_resume,
    journeys_on_events,
    offer_save,
    version_steps_set,
    version_wording_set,
)
from apps.messaging.models import Message
from tests.helpers.clock import BERLIN, clock_at, local, today

from .factories import live_journey, reachable_contact, send, wait

NOON = dt.time(12)


def noon(days: int = 0) -> dt.datetime:
    return local(today(BERLIN) + dt.timedelta(days=days), 12, 0, BERLIN)


def post(contact, type_: str, **properties) -> TimelineEvent:
    """Record an event and hand it to the subscriber, as the worker would."""
    event = event_record(contact=contact, type=type_, properties=properties)
    journeys_on_events([event])
    return event


def advance(journey, at: dt.datetime) -> int:
    with clock_at(at):
        return journey_advance(journey=journey, now=at)


@pytest.fixture
def at_noon(tenant):
    with clock_at(noon()) as traveller:
        yield traveller


def test_a_trigger_event_enters_the_contact_once_per_key(at_noon):
    live_journey(steps=[send("s1")], trigger={"kind": "event", "event_type": "invoice.overdue"})
    contact = reachable_contact()
    post(contact, "invoice.overdue", invoice_id="A1", amount="40")
    post(contact, "invoice.overdue", invoice_id="A1", amount="40")  # the same invoice again
    post(contact, "invoice.overdue", invoice_id="B2", amount="12")  # a second invoice
    keys = sorted(Enrollment.objects.values_list("entry_key", flat=True))
    assert keys == ["invoice_id:A1", "invoice_id:B2"]


def test_event_filters_choose_who_enters(at_noon):
    journey = live_journey(
        steps=[send("s1")],
        trigger={
            "kind": "event",
            "event_type": "invoice.overdue",
            "filters": [{"property": "amount", "cmp": "gte", "value": "100"}],
        },
    )
    small, big = reachable_contact(), reachable_contact()
    post(small, "invoice.overdue", invoice_id="1", amount="40")
    post(big, "invoice.overdue", invoice_id="2", amount="150")
    assert list(Enrollment.objects.values_list("contact_id", flat=True)) == [big.pk]
    assert journey.enrollments.count() == 1


def test_steps_run_once_and_use_the_trigger_properties(at_noon):
    journey = live_journey(
        steps=[send("s1", text="{amount} due {due_date}"), wait("w1", 60), send("s2")]
    )
    contact = reachable_contact(first_name="Ana")
    post(contact, "order.ready", order_id="7", amount="40.00", due_date="2027-01-01")
    assert advance(journey, noon()) == 1
    assert advance(journey, noon()) == 0  # a second sweep finds nothing due
    messages = list(Message.objects.filter(contact=contact))
    assert len(messages) == 1 and "40.00 due 2027-01-01" in messages[0].body
    advance(journey, noon() + dt.timedelta(minutes=61))
    enrollment = Enrollment.objects.get()
    assert enrollment.status == EnrollmentStatus.COMPLETED
    assert Message.objects.filter(contact=contact).count() == 2
    assert list(enrollment.runs.values_list("step_id", flat=True)) == ["s1", "w1", "s2"]


def test_a_retried_step_sends_one_message(at_noon):
    journey = live_journey(steps=[send("s1")])
    contact = reachable_contact()
    post(contact, "order.ready", order_id="9")
    enrollment = Enrollment.objects.get()
    # the message was sent, then the transaction failed before the step was recorded:
    from apps.messaging.services.sending import message_send

    message_send(
        contact=contact,
        purpose="journey",
        channel="email",
        context={"subject": "Hi", "text": "x"},
        dedupe_key=f"journey:{enrollment.pk}:1",
    )
    advance(journey, noon())
    assert Message.objects.filter(contact=contact).count() == 1
    assert StepRun.objects.filter(enrollment=enrollment).count() == 1


def test_wait_for_event_takes_the_event_branch_and_the_time_out_branch(at_noon):
    steps = [
        {
            "id": "w",
            "type": "wait",
            "config": {"mode": "event", "event_type": "invoice.paid", "minutes": 60},
            "else": "late",
        },
        send("thanks", text="Thanks"),
        {"id": "end", "type": "exit", "config": {}},
        send("late", text="Still open"),
    ]
    journey = live_journey(steps=steps, trigger={"kind": "event", "event_type": "invoice.overdue"})
    payer, late = reachable_contact(), reachable_contact()
    post(payer, "invoice.overdue", invoice_id="P")
    post(late, "invoice.overdue", invoice_id="L")
    advance(journey, noon())
    post(payer, "invoice.paid", invoice_id="OTHER")  # another invoice: no effect
    post(payer, "invoice.paid", invoice_id="P")
    advance(journey, noon() + dt.timedelta(minutes=1))
    advance(journey, noon() + dt.timedelta(minutes=61))
    assert list(Message.objects.filter(contact=payer).values_list("body", flat=True))[0].count(
        "Thanks"
    )
    assert "Still open" in Message.objects.get(contact=late).body
    outcomes = dict(
        StepRun.objects.filter(step_type="wait_result").values_list(
            "enrollment__contact_id", "outcome"
        )
    )
    assert outcomes == {payer.pk: "event", late.pk: "timeout"}


def test_two_overdue_invoices_run_side_by_side_and_each_stops_at_its_own_payment(at_noon):
    journey = live_journey(
        steps=[send("s1"), wait("w", 60 * 24), send("s2")],
        trigger={"kind": "event", "event_type": "invoice.overdue"},
        goal={"event_type": "invoice.paid", "within_days": 30},
    )
    contact = reachable_contact()
    post(contact, "invoice.overdue", invoice_id="A")
    post(contact, "invoice.overdue", invoice_id="B")
    advance(journey, noon())
    post(contact, "invoice.paid", invoice_id="A")
    statuses = dict(Enrollment.objects.values_list("entry_key", "status"))
    assert statuses == {"invoice_id:A": "converted", "invoice_id:B": "active"}
    advance(journey, noon() + dt.timedelta(days=1, minutes=1))
    assert Message.objects.filter(contact=contact).count() == 3  # A's first, B's two
    post(contact, "invoice.paid", invoice_id="B")
    assert set(Enrollment.objects.values_list("status", flat=True)) == {"converted", "completed"}


def test_an_exit_event_ends_the_enrollment(at_noon):
    journey = live_journey(
        steps=[wait("w", 60), send("s")],
        trigger={"kind": "event", "event_type": "appointment.booked"},
        exit_events=["appointment.cancelled"],
    )
    contact = reachable_contact()
    post(contact, "appointment.booked", appointment_id=5)
    advance(journey, noon())
    post(contact, "appointment.cancelled", appointment_id=6)  # another appointment
    assert Enrollment.objects.get().status == EnrollmentStatus.ACTIVE
    post(contact, "appointment.cancelled", appointment_id=5)
    advance(journey, noon() + dt.timedelta(hours=2))
    assert Enrollment.objects.get().status == EnrollmentStatus.EXITED
    assert not Message.objects.filter(contact=contact).exists()


def test_a_new_version_leaves_running_enrollments_on_the_old_one(at_noon):
    journey = live_journey(steps=[wait("w", 60), send("old", text="Old path")])
    first = reachable_contact()
    post(first, "order.ready", order_id="1")
    advance(journey, noon())
    version_steps_set(journey=journey, steps=[send("new", text="New path")])
    journey_activate(journey=journey)
    second = reachable_contact()
    post(second, "order.ready", order_id="2")
    advance(journey, noon() + dt.timedelta(minutes=61))
    assert "Old path" in Message.objects.get(contact=first).body
    assert "New path" in Message.objects.get(contact=second).body


def test_fixed_wording_reaches_those_already_inside(at_noon):
    journey = live_journey(steps=[wait("w", 60), send("s", text="Tpyo")])
    contact = reachable_contact()
    post(contact, "order.ready", order_id="1")
    advance(journey, noon())
    version_wording_set(journey=journey, step_id="s", text="Typo fixed")
    advance(journey, noon() + dt.timedelta(minutes=61))
    assert "Typo fixed" in Message.objects.get(contact=contact).body


def test_pause_holds_everyone_and_resume_skips_nobody(at_noon):
    journey = live_journey(steps=[wait("w", 60), send("s1"), send("s2")])
    contacts = [reachable_contact() for _ in range(3)]
    for n, contact in enumerate(contacts):
        post(contact, "order.ready", order_id=str(n))
    advance(journey, noon())
    journey_pause(journey=journey)
    journey.refresh_from_db()
    assert advance(journey, noon() + dt.timedelta(hours=3)) == 0
    assert not Message.objects.exists()
    journey_resume(journey=journey)
    journey.refresh_from_db()
    advance(journey, noon() + dt.timedelta(hours=3))
    assert Message.objects.count() == 6
    assert set(Enrollment.objects.values_list("status", flat=True)) == {"completed"}


def test_entry_rules_once_or_again_after_days(at_noon):
    once = live_journey(name="once", steps=[send("s")])
    again = live_journey(name="again", steps=[send("s")], entry_rule="again_after", reentry_days=7)
    contact = reachable_contact()
    post(contact, "order.ready")
    advance(once, noon())
    advance(again, noon())
    with clock_at(noon(3)):
        post(contact, "order.ready")
    with clock_at(noon(8)):
        advance(again, noon(8))
        post(contact, "order.ready")
    assert once.enrollments.count() == 1
    assert again.enrollments.count() == 2


def test_a_wait_until_a_time_of_day_follows_daylight_saving_and_a_zone_edit(tenant):
    # the Saturday before Europe's clocks go forward, 12:00 in Berlin
    saturday = dt.datetime(2027, 3, 27, 12, 0, tzinfo=BERLIN)
    steps = [
        {"id": "w", "type": "wait", "config": {"mode": "time_of_day", "at": "09:00"}},
        send("s"),
    ]
    with clock_at(saturday):
        journey = live_journey(steps=steps)
        berlin, moved = reachable_contact(), reachable_contact()
        post(berlin, "order.ready", order_id="1")
        post(moved, "order.ready", order_id="2")
        advance(journey, saturday)
        contact_update(contact=moved, time_zone="America/New_York")
    sunday_nine = dt.datetime(2027, 3, 28, 9, 0, tzinfo=BERLIN)  # 07:00 UTC, after the change
    assert Enrollment.objects.get(contact=berlin).next_at == sunday_nine
    advance(journey, sunday_nine)
    assert Message.objects.filter(contact=berlin).count() == 1
    # the other one now lives in New York: 09:00 there, not in Berlin
    assert not Message.objects.filter(contact=moved).exists()
    new_york_nine = dt.datetime(2027, 3, 28, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
    assert Enrollment.objects.get(contact=moved).next_at == new_york_nine
    advance(journey, new_york_nine)
    assert Message.objects.filter(contact=moved).count() == 1


def test_a_send_window_holds_the_step_until_it_opens(tenant):
    evening = local(today(BERLIN) + dt.timedelta(days=1), 20, 0, BERLIN)
    window = {"days": [0, 1, 2, 3, 4, 5, 6], "from": "09:00", "to": "17:00"}
    with clock_at(evening):
        journey = live_journey(steps=[send("s", window=window)])
        contact = reachable_contact()
        post(contact, "order.ready")
        advance(journey, evening)
    assert not Message.objects.exists()
    opening = local(today(BERLIN) + dt.timedelta(days=2), 9, 0, BERLIN)
    assert Enrollment.objects.get().next_at == opening
    advance(journey, opening)
    assert Message.objects.count() == 1


def test_a_machine_click_never_takes_a_branch(at_noon):
    steps = [
        send("s"),
        wait("w", 60 * 24),
        {
            "id": "b",
            "type": "branch",
            "config": {"kind": "event", "event_type": "message.clicked"},
            "else": "sms",
        },
        {"id": "done", "type": "exit", "config": {}},
        send("sms", channel="sms", text="By text"),
    ]
    journey = live_journey(steps=steps)
    contact = reachable_contact()
    post(contact, "order.ready")
    advance(journey, noon())
    message = Message.objects.get()
    with clock_at(noon() + dt.timedelta(seconds=3)):  # a link scanner, seconds after the send
        post(contact, "message.clicked", message_id=message.pk, channel="email")
    with clock_at(noon() + dt.timedelta(hours=1)):  # a proxy flagged by the provider
        post(contact, "message.opened", message_id=message.pk, machine=True)
    advance(journey, noon() + dt.timedelta(days=1, minutes=1))
    assert Message.objects.filter(channel="sms").count() == 1


def test_the_offer_step_picks_by_priority_then_acceptance_and_records_why(at_noon):
    low = offer_save(name="Small", text="Small offer", accepted_event="purchase.made", priority=1)
    plan = offer_save(name="Plan", text="Plan offer", accepted_event="invoice.paid", priority=5)
    upgrade = offer_save(
        name="Upgrade", text="Upgrade offer", accepted_event="purchase.made", priority=5
    )
    others = [reachable_contact() for _ in range(4)]
    for n, other in enumerate(others):  # history: the upgrade is accepted, the plan is not
        OfferMade.objects.create(
            offer=upgrade, contact=other, made_at=noon(-5), accepted_at=noon(-4) if n < 3 else None
        )
        OfferMade.objects.create(offer=plan, contact=other, made_at=noon(-5))
    journey = live_journey(steps=[{"id": "o", "type": "offer", "config": {"channel": "email"}}])
    contact = reachable_contact()
    post(contact, "order.ready")
    advance(journey, noon())
    run = StepRun.objects.get(step_type="offer")
    assert run.detail["offer"] == "Upgrade"
    assert "3 of 4 accepted" in run.detail["why"]
    assert low.made.count() == 0
    post(contact, "purchase.made", amount="10")
    assert OfferMade.objects.get(contact=contact).accepted_at is not None


def test_figures_count_each_version_step_channel_and_goal(at_noon, django_assert_max_num_queries):
    from apps.journeys.selectors import journey_figures

    journey = live_journey(
        steps=[send("s1"), wait("w", 60), send("s2", channel="sms")],
        trigger={"kind": "event", "event_type": "invoice.overdue"},
        goal={"event_type": "invoice.paid", "within_days": 10},
    )
    a, b = reachable_contact(), reachable_contact()
    post(a, "invoice.overdue", invoice_id="1")
    post(b, "invoice.overdue", invoice_id="2")
    advance(journey, noon())
    post(a, "invoice.paid", invoice_id="1")
    with django_assert_max_num_queries(7):
        (figures,) = journey_figures(journey)
    assert (figures.entered, figures.active, figures.converted) == (2, 1, 1)
    assert figures.funnel() == [("s1", "send", 2), ("w", "wait", 2), ("s2", "send", 0)]
    assert figures.at_step == {"s2": 1}
    assert figures.channels == {"email": 2}
    assert figures.conversion_rate == 0.5


def test_late_payers_are_eligible_for_the_payment_plan(at_noon):
    from apps.contacts.selectors.segments import rules_members

    late, punctual = reachable_contact(), reachable_contact()
    for n in range(2):
        due = (noon(-30 * (n + 1)) - dt.timedelta(days=3)).date().isoformat()
        event_record(
            contact=late,
            type="invoice.paid",
            properties={"due_date": due},
            occurred_at=noon(-30 * (n + 1)),
        )
        event_record(
            contact=punctual,
            type="invoice.paid",
            properties={"due_date": "2099-01-01"},
            occurred_at=noon(-30 * (n + 1)),
        )
    rules = {
        "op": "and",
        "rules": [{"field": "journeys.late_payments", "cmp": "at_least", "value": 2}],
    }
    assert list(rules_members(rules)) == [late]
