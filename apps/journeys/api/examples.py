"""Example requests and answers of the journeys API, as Bright Smile Dental would see them:
the payment reminder (journey 3) running for Emily Carter (contact 1042) and invoice INV-2041."""

from __future__ import annotations

from cxsuite.lib.openapi import request_example, response_example

JOURNEY = [
    response_example(
        "The payment reminder",
        {
            "id": 3,
            "name": "Payment reminder that switches channel",
            "description": "An e-mail first, a text when the e-mail is ignored.",
            "status": "active",
            "trigger": {"kind": "event", "event_type": "invoice.overdue", "filters": []},
            "entry_rule": "once",
            "reentry_days": 0,
            "goal": {"event_type": "invoice.paid", "within_days": 60},
            "exit_events": [],
            "holdout_percent": 10,
            "hourly_cap": None,
            "version": 2,
            "steps": [
                {
                    "id": "email",
                    "type": "send",
                    "config": {
                        "channel": "email",
                        "subject": "A friendly reminder",
                        "text": "Your invoice of {amount} is open.",
                        "service": True,
                    },
                }
            ],
            "activated_at": "2026-05-04T08:00:00Z",
            "created": "2026-05-01T14:12:00Z",
        },
    )
]
ACTIVATE_INPUT = [request_example("Only contacts who join from now on", {"include_current": False})]
ENROLLMENT = [
    response_example(
        "Emily, waiting after the first e-mail",
        {
            "id": 5120,
            "journey": 3,
            "version": 2,
            "contact": 1042,
            "entry_key": "invoice_id:INV-2041",
            "status": "active",
            "current_step": "read",
            "next_at": "2026-05-15T07:00:00Z",
            "waiting_for": "",
            "trigger_properties": {"invoice_id": "INV-2041", "amount": "80.00", "currency": "USD"},
            "entered_at": "2026-05-12T07:00:00Z",
            "finished_at": None,
            "exit_reason": "",
        },
    )
]
ENROLLMENT_INPUT = [
    request_example(
        "Enter Emily for invoice INV-2041",
        {
            "journey": 3,
            "contact": 1042,
            "properties": {"invoice_id": "INV-2041", "amount": "80.00"},
        },
    )
]
EXIT_INPUT = [request_example("Paid at the front desk", {"reason": "paid at the desk"})]
OFFER = [
    response_example(
        "A payment plan",
        {
            "id": 2,
            "name": "Payment plan",
            "text": "Pay in three monthly parts, no fees.",
            "rules": {},
            "segment": None,
            "priority": 5,
            "valid_from": None,
            "valid_until": None,
            "accepted_event": "invoice.paid",
            "reward": {"type": "points", "points": 200, "reason": ""},
            "active": True,
            "made": 40,
            "accepted": 12,
        },
    )
]
OFFER_INPUT = [
    request_example(
        "A payment plan",
        {
            "name": "Payment plan",
            "text": "Pay in three monthly parts, no fees.",
            "priority": 5,
            "accepted_event": "invoice.paid",
            "reward": {"type": "points", "points": 200},
        },
    )
]
