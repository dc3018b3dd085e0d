"""Example requests and answers of the feedback API, as Bright Smile Dental would see them:
Emily Carter (contact 1042) answered the "After your visit" NPS survey (survey 3) with a 4."""

from __future__ import annotations

from cxsuite.lib.openapi import request_example, response_example

SURVEY = [
    response_example(
        "An NPS survey after visits",
        {
            "id": 3,
            "name": "After your visit",
            "kind": "nps",
            "trigger": "appointment",
            "active": True,
            "delay_hours": 2,
            "service_ids": [],
            "channel": "auto",
            "reminders": 1,
            "expiry_days": 14,
        },
    )
]
INVITATION = [
    response_example(
        "An invitation scheduled",
        {
            "id": 501,
            "survey": 3,
            "contact": 1042,
            "status": "scheduled",
            "drop_reason": "",
            "language": "en",
            "channel": "",
            "send_at": "2026-05-12T17:30:00Z",
            "sent_at": None,
            "answered_at": None,
            "expires_at": "2026-05-26T17:30:00Z",
        },
    )
]
INVITATION_INPUT = [request_example("Ask Emily now", {"survey": 3, "contact": 1042})]
RESPONSE = [
    response_example(
        "A detractor's answer",
        {
            "id": 77,
            "invitation": 501,
            "survey": 3,
            "contact": 1042,
            "kind": "nps",
            "score": 4,
            "band": "detractor",
            "comment": "Waited forty minutes.",
            "answers": {},
            "channel": "api",
            "created": "2026-05-12T18:02:00Z",
            "updated": "2026-05-12T18:02:00Z",
        },
    )
]
RESPONSE_INPUT = [
    request_example(
        "Emily's answer from the partner app",
        {"invitation": 501, "score": 4, "comment": "Waited forty minutes."},
    )
]
CASE = [
    response_example(
        "An open case",
        {
            "id": 12,
            "response": 77,
            "contact": 1042,
            "status": "open",
            "owner": 5,
            "opened_at": "2026-05-12T18:02:00Z",
            "due_at": "2026-05-13T18:02:00Z",
            "first_contact_at": None,
            "resolved_at": None,
            "escalated_at": None,
            "root_cause": None,
            "resolution": "",
            "gesture_kind": "",
            "gesture_points": 0,
            "gesture_value": "0.00",
        },
    )
]
CASE_UPDATE_INPUT = [
    request_example("Called back", {"status": "contacted", "note": "Called, apologised."})
]
CASE_RESOLVE_INPUT = [
    request_example(
        "Resolved with points",
        {
            "root_cause": 2,
            "resolution": "Apologised; moved her next visit to the first slot.",
            "gesture_kind": "points",
            "gesture_points": 200,
            "remember": "Greet Emily personally; first slot of the morning.",
        },
    )
]
SUMMARY = [
    response_example(
        "The last six months",
        {
            "nps": 42.5,
            "csat": 86.0,
            "effort": 2.3,
            "response_rate": 38.2,
            "answered": 412,
            "invited": 1078,
            "dropped": 96,
            "cases_open": 4,
            "cases_overdue": 1,
        },
    )
]
