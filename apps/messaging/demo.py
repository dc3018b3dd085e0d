"""Bright Smile Dental's message history: who answers what, and a reminder that goes by SMS
to a Spanish-speaking patient who reads texts but not emails (visible in the Outbox and on
her timeline). Everything goes through the services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from apps.contacts.models import Contact
from apps.contacts.services import consent_set, contact_update

from .services.sending import message_deliver, message_mark, message_send


def _history(contact: Contact, channel: str, *, sent: int, answered: int, when: dt.datetime):
    for n in range(sent):
        message = message_send(
            contact=contact,
            purpose="appointment_confirmation",
            channel=channel,
            dedupe_key=f"demo-history:{contact.pk}:{channel}:{n}",
            now=when,
        )
        message_deliver(message_id=message.pk)
        message_mark(message=message, status="delivered")
        if n < answered:
            message_mark(message=message, status="replied" if channel == "sms" else "opened")


def demo_seed(*, tenant, rng) -> None:
    noon = timezone.now().replace(hour=17, minute=0)  # 11:00 or 12:00 in Chicago
    reachable = list(
        Contact.objects.exclude(email="")
        .exclude(phone="")
        .filter(sms_consent="opted_in")
        .order_by("pk")[:120]
    )
    for contact in reachable[1:]:
        email_rate, sms_rate = rng.random(), rng.random()
        _history(contact, "email", sent=2, answered=int(email_rate * 2.5), when=noon)
        _history(contact, "sms", sent=2, answered=int(sms_rate * 2.5), when=noon)

    lucia = reachable[0]
    lucia = contact_update(contact=lucia, first_name="Lucía", last_name="Santos", language="es")
    consent_set(contact=lucia, channel="email", status="opted_in", method="form")
    lucia.refresh_from_db()
    _history(lucia, "email", sent=6, answered=0, when=noon)
    _history(lucia, "sms", sent=5, answered=4, when=noon)
    message_send(
        contact=lucia,
        purpose="appointment_reminder",
        dedupe_key="demo-reminder-lucia",
        context={
            "appointment": {
                "starts_at": "jueves 10:30",
                "service": "Limpieza dental",
                "staff": "Dr. Okafor",
            }
        },
        now=noon,
    )
