"""Journeys built the way the builder saves them."""

from __future__ import annotations

from apps.journeys.models import Journey
from apps.journeys.services import journey_activate, journey_create
from tests.contacts.factories import ContactFactory


def send(step_id: str, text: str = "Hello {first_name}", channel: str = "email", **extra) -> dict:
    return {
        "id": step_id,
        "type": "send",
        "config": {"channel": channel, "subject": "Hi", "text": text, **extra},
    }


def wait(step_id: str, minutes: int = 0, **extra) -> dict:
    return {
        "id": step_id,
        "type": "wait",
        "config": {"mode": "duration", "minutes": minutes},
        **extra,
    }


def live_journey(
    *, steps: list, trigger: dict | None = None, name: str = "Test journey", **values
) -> Journey:
    journey = journey_create(
        name=name,
        trigger=trigger or {"kind": "event", "event_type": "order.ready", "filters": []},
        steps=steps,
        **values,
    )
    return journey_activate(journey=journey)


def reachable_contact(**values):
    values.setdefault("email_consent", "opted_in")
    values.setdefault("sms_consent", "opted_in")
    return ContactFactory(**values)
