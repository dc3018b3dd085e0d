"""Bright Smile Dental's journeys: the templates from real practice made live, the two offers
seeded from practice, contacts at several steps, and a finished first version of the
after-visit journey with its figures."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from apps.contacts.selectors import contacts_live

from .models import Enrollment
from .services import (
    enrollment_enter,
    journey_activate,
    journey_advance,
    journey_from_template,
    offer_save,
    version_steps_set,
)


def demo_seed(*, tenant, rng) -> None:
    now = timezone.now()
    offer_save(
        name="Plan upgrade at renewal",
        text="Renew on the family plan this month and the second check-up is on us.",
        accepted_event="purchase.made",
        priority=5,
        reward={"type": "points", "points": 200, "reason": "Renewed at the family plan"},
    )
    offer_save(
        name="Payment plan",
        text="Would paying in three monthly parts help? Reply YES and we set it up, no fees.",
        accepted_event="invoice.paid",
        priority=5,
        rules={
            "op": "and",
            "rules": [{"field": "journeys.late_payments", "cmp": "at_least", "value": 2}],
        },
    )
    contacts = list(contacts_live().order_by("pk")[:60])
    if not contacts:
        return
    for key in ("welcome", "birthday", "order_ready"):
        journey_activate(journey=journey_from_template(key=key), now=now)

    # the payment reminder, with invoices at several steps
    reminder = journey_activate(journey=journey_from_template(key="payment_reminder"), now=now)
    for n, contact in enumerate(contacts[:12]):
        entered = now - dt.timedelta(days=rng.choice([0, 1, 4, 6, 9]))
        enrollment_enter(
            journey=reminder,
            contact=contact,
            now=entered,
            properties={
                "invoice_id": f"INV-{2040 + n}",
                "amount": f"{rng.choice([45, 80, 120, 240])}.00",
                "currency": "USD",
                "due_date": (entered - dt.timedelta(days=7)).date().isoformat(),
            },
        )
    journey_advance(journey=reminder, now=now)

    # after the visit: version 1 ran for a while and finished; version 2 is live
    after = journey_activate(journey=journey_from_template(key="post_visit"), now=now)
    for contact in contacts[12:40]:
        enrollment_enter(journey=after, contact=contact, now=now - dt.timedelta(days=3))
    journey_advance(journey=after, now=now)
    first = Enrollment.objects.filter(journey=after).select_related("version").first()
    steps = [dict(step) for step in first.version.steps] if first else []
    if steps:
        steps[-1] = {
            **steps[-1],
            "config": {**steps[-1]["config"], "text": "Thank you for your visit! How did we do?"},
        }
        version_steps_set(journey=after, steps=steps)
        journey_activate(journey=after, now=now)
    for contact in contacts[40:50]:
        enrollment_enter(journey=after, contact=contact, now=now)
