"""Example requests and answers of the webhooks API, as Bright Smile Dental would see them: its
booking partner receives the booking events at https://hooks.example.com/cxsuite."""

from __future__ import annotations

from cxsuite.lib.openapi import request_example, response_example

ENDPOINT_VALUE = {
    "id": 3,
    "url": "https://hooks.example.com/cxsuite",
    "description": "Booking widget",
    "event_types": ["appointment.booked", "appointment.cancelled"],
    "is_active": True,
    "disabled_reason": "",
    "disabled_at": None,
    "failing_since": None,
    "previous_secret_expires_at": None,
    "created": "2026-05-12T15:30:00Z",
    "updated": "2026-05-12T15:30:00Z",
}
ENDPOINT = [response_example("An endpoint for booking events", ENDPOINT_VALUE)]
ENDPOINT_CREATED = [
    response_example(
        "Created, with its secret (shown only now)",
        {**ENDPOINT_VALUE, "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
    )
]
ENDPOINT_INPUT = [
    request_example(
        "Booking events only",
        {
            "url": "https://hooks.example.com/cxsuite",
            "description": "Booking widget",
            "event_types": ["appointment.booked", "appointment.cancelled"],
        },
    ),
    request_example("Every event", {"url": "https://hooks.example.com/all", "event_types": []}),
]
ENDPOINT_CHANGE = [
    request_example("Turn it off", {"is_active": False}),
    response_example(
        "Turned off",
        {
            **ENDPOINT_VALUE,
            "is_active": False,
            "disabled_reason": "manual",
            "disabled_at": "2026-05-14T09:12:00Z",
            "updated": "2026-05-14T09:12:00Z",
        },
    ),
]
SECRET_ROTATED = [
    response_example(
        "A new secret; the old one signs beside it until the time given",
        {
            "secret": "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
            "previous_secret_expires_at": "2026-05-13T15:30:00Z",
        },
    )
]
REPLAY_INPUT = [
    request_example("Everything since Monday morning", {"since": "2026-05-11T06:00:00Z"})
]
REPLAY_RESULT = [response_example("Queued", {"queued": 42}, status_codes=["202"])]
DELIVERY_VALUE = {
    "id": 981,
    "endpoint": 3,
    "event": 55120,
    "message_id": "msg_2b7e151628ae4a7b9e6c3f0d4c1a8b22",
    "event_type": "appointment.booked",
    "status": "succeeded",
    "attempts": 2,
    "next_attempt_at": None,
    "last_attempt_at": "2026-05-12T15:31:07Z",
    "response_status": 200,
    "duration_ms": 143,
    "payload": {
        "type": "appointment.booked",
        "timestamp": "2026-05-12T15:31:02Z",
        "data": {
            "event_id": 55120,
            "contact_id": 1042,
            "occurred_at": "2026-05-12T15:31:02Z",
            "source": "online",
            "properties": {"appointment_id": 8812, "service": "Check-up"},
        },
    },
    "created": "2026-05-12T15:31:02Z",
    "updated": "2026-05-12T15:31:07Z",
}
DELIVERY = [response_example("Delivered on the second try", DELIVERY_VALUE)]
DELIVERY_DETAIL = [
    response_example(
        "Delivered on the second try, with its log",
        {
            **DELIVERY_VALUE,
            "log": [
                {
                    "number": 2,
                    "attempted_at": "2026-05-12T15:31:07Z",
                    "url": "https://hooks.example.com/cxsuite",
                    "request_headers": {
                        "webhook-id": "msg_2b7e151628ae4a7b9e6c3f0d4c1a8b22",
                        "webhook-timestamp": "1778599867",
                        "webhook-signature": "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
                    },
                    "response_status": 200,
                    "response_body": '{"ok":true}',
                    "duration_ms": 143,
                    "error": "",
                },
                {
                    "number": 1,
                    "attempted_at": "2026-05-12T15:31:02Z",
                    "url": "https://hooks.example.com/cxsuite",
                    "request_headers": {
                        "webhook-id": "msg_2b7e151628ae4a7b9e6c3f0d4c1a8b22",
                        "webhook-timestamp": "1778599862",
                        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
                    },
                    "response_status": 503,
                    "response_body": "Service Unavailable",
                    "duration_ms": 88,
                    "error": "",
                },
            ],
        },
    )
]
DELIVERY_REPLAYED = [
    response_example(
        "Sending again",
        {**DELIVERY_VALUE, "status": "pending", "next_attempt_at": "2026-05-12T16:02:00Z"},
        status_codes=["202"],
    )
]
