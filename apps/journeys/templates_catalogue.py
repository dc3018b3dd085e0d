"""Journeys from real practice, ready to copy into a new journey (their wording is the
business's to change). Steps that need the loyalty or partner modules are added by those
modules' templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

DAY = 24 * 60
WORKING_HOURS = {"days": [0, 1, 2, 3, 4], "from": "09:00", "to": "18:00"}


@dataclass(frozen=True)
class JourneyTemplate:
    key: str
    name: Any
    description: Any
    trigger: dict
    steps: list[dict]
    settings: dict = field(default_factory=dict)


def _send(step_id: str, text: str, channel: str = "best", subject: str = "", **extra) -> dict:
    config = {"channel": channel, "subject": subject, "text": text, **extra}
    return {"id": step_id, "type": "send", "config": config}


def _wait(step_id: str, minutes: int) -> dict:
    return {"id": step_id, "type": "wait", "config": {"mode": "duration", "minutes": minutes}}


def journey_templates() -> list[JourneyTemplate]:
    """Every template, in the order the "new journey" page shows them."""
    return [
        JourneyTemplate(
            "welcome",
            _("Welcome series"),
            _("Three messages over the first week to a new contact."),
            {"kind": "event", "event_type": "contact.created", "filters": []},
            [
                _send(
                    "hello", "Welcome, {first_name}! We are glad to have you.", subject="Welcome"
                ),
                _wait("day2", 2 * DAY),
                _send("tips", "A few tips to get the most out of your visits.", subject="Tips"),
                _wait("day7", 5 * DAY),
                _send(
                    "book",
                    "Ready for your first appointment? Book online any time.",
                    subject="Book",
                ),
            ],
            {"goal": {"event_type": "appointment.booked", "within_days": 14}},
        ),
        JourneyTemplate(
            "renewal",
            _("Contract renewal with the best upgrade offer"),
            _("30 days before the renewal date: the best offer, then a reminder and a call task."),
            {"kind": "date", "field": "custom.renewal_date", "offset_days": -30, "at": "10:00"},
            [
                {"id": "offer", "type": "offer", "config": {"channel": "best"}, "else": "task"},
                _wait("wait", 10 * DAY),
                {
                    "id": "opened",
                    "type": "branch",
                    "config": {"kind": "event", "event_type": "message.clicked"},
                    "else": "task",
                },
                {"id": "done", "type": "exit", "config": {}},
                {
                    "id": "task",
                    "type": "task",
                    "config": {"title": "Call about the renewal", "due_days": 1},
                },
            ],
            {"goal": {"event_type": "purchase.made", "within_days": 45}},
        ),
        JourneyTemplate(
            "payment_reminder",
            _("Payment reminder that switches channel"),
            _(
                "An e-mail first, a text when the e-mail is ignored, then a payment plan in an "
                "empathetic tone; stops the moment the invoice is paid."
            ),
            {"kind": "event", "event_type": "invoice.overdue", "filters": []},
            [
                _send(
                    "email",
                    "Your invoice of {amount} {currency} was due on {due_date}. Pay here: {pay_link}",
                    channel="email",
                    subject="A friendly reminder",
                    service=True,
                    window=WORKING_HOURS,
                ),
                _wait("wait1", 3 * DAY),
                {
                    "id": "read",
                    "type": "branch",
                    "config": {"kind": "event", "event_type": "message.opened"},
                    "else": "sms",
                },
                {**_wait("wait_read", 2 * DAY), "next": "wait2"},
                _send(
                    "sms",
                    "Reminder: {amount} {currency} is still open. Pay: {pay_link}",
                    channel="sms",
                    service=True,
                    window=WORKING_HOURS,
                ),
                _wait("wait2", 4 * DAY),
                {"id": "plan", "type": "offer", "config": {"channel": "best", "service": True}},
                {
                    "id": "settle",
                    "type": "wait",
                    "config": {"mode": "event", "event_type": "invoice.paid", "minutes": 14 * DAY},
                },
            ],
            {"goal": {"event_type": "invoice.paid", "within_days": 60}},
        ),
        JourneyTemplate(
            "outage",
            _("Proactive outage notice"),
            _("Tells the contacts in the affected area, with the link to the status page."),
            {"kind": "event", "event_type": "service.disruption", "filters": []},
            [
                _send(
                    "notice",
                    "We know about a disruption in {area}. Updates: {reference}. Expected back: {until}.",
                    service=True,
                ),
                {
                    "id": "restored",
                    "type": "wait",
                    "config": {
                        "mode": "event",
                        "event_type": "service.restored",
                        "minutes": 3 * DAY,
                    },
                },
                _send(
                    "back", "Service is back in {area}. Thank you for your patience.", service=True
                ),
            ],
        ),
        JourneyTemplate(
            "order_ready",
            _("Your order is ready"),
            _("By the best channel, a voice call included."),
            {"kind": "event", "event_type": "order.ready", "filters": []},
            [_send("ready", "Your order {order_id} is ready to collect.", service=True)],
        ),
        JourneyTemplate(
            "post_visit",
            _("After the visit"),
            _("A thank-you the day after the appointment."),
            {"kind": "event", "event_type": "appointment.completed", "filters": []},
            [_wait("next_day", DAY), _send("thanks", "Thank you for your visit, {first_name}!")],
        ),
        JourneyTemplate(
            "win_back",
            _("Win back customers at risk"),
            _("Contacts entering the “at risk” segment get the best offer."),
            {"kind": "segment", "segment_id": None, "direction": "entered"},
            [
                {"id": "offer", "type": "offer", "config": {"channel": "best"}},
                _wait("wait", 14 * DAY),
                _send("miss", "We miss you, {first_name}. Come and see us soon."),
            ],
            {"goal": {"event_type": "purchase.made", "within_days": 30}},
        ),
        JourneyTemplate(
            "birthday",
            _("Birthday greeting"),
            _("On the birthday at 09:00 in the contact's time zone."),
            {"kind": "date", "field": "birthday", "offset_days": 0, "at": "09:00"},
            [_send("greeting", "Happy birthday, {first_name}!", subject="Happy birthday")],
        ),
        JourneyTemplate(
            "recall",
            _("Recall for an overdue check-up"),
            _("A reminder, then a staff call task when nobody books."),
            {"kind": "segment", "segment_id": None, "direction": "entered"},
            [
                _send("recall", "It is time for your check-up. Book online any time."),
                {
                    "id": "booked",
                    "type": "wait",
                    "config": {
                        "mode": "event",
                        "event_type": "appointment.booked",
                        "minutes": 14 * DAY,
                    },
                    "else": "call",
                },
                {"id": "done", "type": "exit", "config": {}},
                {
                    "id": "call",
                    "type": "task",
                    "config": {"title": "Call about the check-up", "due_days": 1},
                },
            ],
        ),
    ]


def journey_template(key: str) -> JourneyTemplate | None:
    return next((t for t in journey_templates() if t.key == key), None)
