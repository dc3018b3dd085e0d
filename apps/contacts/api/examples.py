"""Example requests and answers of the contacts API, as Bright Smile Dental (Chicago) would see
them: its patient Emily Carter (contact 1042), her consent, notes, tasks and payments. Times are
UTC, as the API speaks; the serializers in this package show them (cxsuite/lib/openapi.py)."""

from __future__ import annotations

from cxsuite.lib.openapi import request_example, response_example

# --- contacts ----------------------------------------------------------------------------------
CONSENT_STATE = {"email": "opted_in", "sms": "opted_in", "voice": "unknown"}

CONTACT_VALUE = {
    "id": 1042,
    "first_name": "Emily",
    "last_name": "Carter",
    "name": "Emily Carter",
    "email": "emily.carter@example.com",
    "phone": "+13125550147",
    "address_line": "2140 W Belmont Ave",
    "city": "Chicago",
    "postal_code": "60618",
    "country": "US",
    "birthday": "1988-04-17",
    "language": "en",
    "time_zone": "America/Chicago",
    "preferred_channel": "sms",
    "tags": ["invisalign", "family-plan"],
    "owner": 3,
    "lifecycle_stage": "customer",
    "source": "online booking",
    "custom": {"insurer": "Delta Dental", "referred_by": "Dr. Nguyen"},
    "consent": CONSENT_STATE,
    "rfm": {"r": 5, "f": 4, "m": 4, "segment": "loyal"},
    "created": "2025-09-03T16:12:45Z",
    "updated": "2026-04-28T14:05:12Z",
}
CONTACT = [response_example("A patient", CONTACT_VALUE)]

CONTACT_INPUT = [
    request_example(
        "A new patient",
        {
            "first_name": "Emily",
            "last_name": "Carter",
            "email": "emily.carter@example.com",
            "phone": "(312) 555-0147",
            "address_line": "2140 W Belmont Ave",
            "city": "Chicago",
            "postal_code": "60618",
            "country": "US",
            "birthday": "1988-04-17",
            "language": "en",
            "tags": ["invisalign"],
            "source": "practice_software",
            "custom": {"insurer": "Delta Dental"},
        },
        description="Only the fields sent are set; a phone number without +1 is read as a US "
        "number (the contact's country).",
    ),
]

CONTACT_CHANGE = [
    request_example(
        "A change of address and tags",
        {
            "address_line": "455 N Cityfront Plaza Dr, Apt 1203",
            "postal_code": "60611",
            "tags": ["invisalign", "family-plan"],
            "custom": {"insurer": "Cigna Dental"},
        },
    ),
    response_example(
        "The patient, changed",
        {
            **CONTACT_VALUE,
            "address_line": "455 N Cityfront Plaza Dr, Apt 1203",
            "postal_code": "60611",
            "custom": {"insurer": "Cigna Dental", "referred_by": "Dr. Nguyen"},
            "updated": "2026-05-12T16:18:40Z",
        },
    ),
]

# --- consent, notes, the timeline --------------------------------------------------------------
CONSENT_EVENT_VALUE = {
    "id": 8811,
    "channel": "sms",
    "status": "opted_in",
    "previous_status": "unknown",
    "method": "api",
    "actor": None,
    "note": "Ticked 'Text me reminders' on the intake form",
    "occurred_at": "2026-04-28T14:05:12Z",
}
CONSENT_EVENT = [response_example("SMS consent given", CONSENT_EVENT_VALUE)]
CONSENT_INPUT = [
    request_example(
        "Opt in to text messages",
        {
            "channel": "sms",
            "status": "opted_in",
            "note": "Ticked 'Text me reminders' on the intake form",
        },
    )
]
CONSENT_RESULT = [
    response_example(
        "Changed and kept in the history",
        {"changed": True, "consent": CONSENT_STATE, "event": CONSENT_EVENT_VALUE},
        status_codes=["201"],
    ),
    response_example(
        "Already so: nothing kept",
        {"changed": False, "consent": CONSENT_STATE, "event": None},
        status_codes=["200"],
    ),
]

NOTE_VALUE = {
    "id": 30517,
    "contact": 1042,
    "type": "note.added",
    "occurred_at": "2026-05-12T16:20:31Z",
    "properties": {"text": "Prefers morning appointments; anxious about needles."},
    "source": "api",
    "actor": None,
    "client_event_id": "",
    "created": "2026-05-12T16:20:31Z",
}
TIMELINE_EVENT = [response_example("A note on the timeline", NOTE_VALUE)]
NOTE_INPUT = [
    request_example("A note", {"text": "Prefers morning appointments; anxious about needles."})
]

# --- tasks -------------------------------------------------------------------------------------
TASK_VALUE = {
    "id": 215,
    "contact": 1042,
    "title": "Call back about the Invisalign quote",
    "due_date": "2026-05-14",
    "assignee": 3,
    "created_by": None,
    "done_at": None,
    "created": "2026-05-12T16:22:04Z",
}
TASK = [response_example("A follow-up call", TASK_VALUE)]
TASK_DONE = [
    response_example("Done", {**TASK_VALUE, "done_at": "2026-05-13T20:47:18Z"}),
]
TASK_INPUT = [
    request_example(
        "A follow-up call",
        {
            "contact": 1042,
            "title": "Call back about the Invisalign quote",
            "due_date": "2026-05-14",
            "assignee": 3,
        },
    )
]

# --- behavioural events ------------------------------------------------------------------------
EVENT_BATCH_INPUT = [
    request_example(
        "An intake form and an invoice",
        {
            "events": [
                {
                    "contact_id": 1042,
                    "type": "form.submitted",
                    "occurred_at": "2026-05-10T19:42:10Z",
                    "properties": {
                        "title": "New patient intake form",
                        "path": "/forms/new-patient",
                    },
                    "client_event_id": "intake-88213",
                },
                {
                    "email": "emily.carter@example.com",
                    "type": "invoice.issued",
                    "occurred_at": "2026-05-12T16:30:00Z",
                    "properties": {
                        "invoice_id": "INV-2026-0412",
                        "amount": "95.00",
                        "currency": "USD",
                        "due_date": "2026-06-11",
                        "pay_link": "https://pay.brightsmile.example/INV-2026-0412",
                    },
                    "client_event_id": "inv-2026-0412",
                },
            ]
        },
        description="Each event names its contact by id or by email; client_event_id makes a "
        "resent event harmless.",
    )
]
EVENT_BATCH_RESULT = [
    response_example(
        "One stored, one already there, one refused",
        {
            "received": 3,
            "created": 1,
            "duplicates": 1,
            "errors": [{"index": 2, "errors": {"email": ["There is no contact with this email."]}}],
        },
    )
]
EVENT_TYPE = [
    response_example(
        "An event type partners may post",
        {
            "name": "invoice.issued",
            "label": "Invoice issued",
            "properties": {
                "invoice_id": "the partner's invoice id",
                "amount": "amount, as a decimal string",
                "currency": "ISO 4217 currency code",
                "due_date": "when payment is due (YYYY-MM-DD)",
                "pay_link": "where the customer can pay",
            },
            "personal": [],
            "partner": True,
        },
    )
]

# --- transactions ------------------------------------------------------------------------------
TRANSACTION_VALUE = {
    "id": 7731,
    "contact": 1042,
    "kind": "purchase",
    "amount": "189.00",
    "currency": "USD",
    "occurred_at": "2026-05-12T16:05:00Z",
    "items": [
        {"sku": "D0120", "name": "Periodic oral evaluation", "price": "95.00"},
        {"sku": "D1110", "name": "Prophylaxis (cleaning)", "price": "94.00"},
    ],
    "channel": "store",
    "external_ref": "dentrix-inv-2026-0412",
    "refund_of": None,
    "created": "2026-05-12T16:05:03Z",
}
TRANSACTION = [
    response_example("A payment at the front desk", TRANSACTION_VALUE),
]
TRANSACTION_INPUT = [
    request_example(
        "A payment at the front desk",
        {
            "contact": 1042,
            "amount": "189.00",
            "currency": "USD",
            "occurred_at": "2026-05-12T16:05:00Z",
            "items": TRANSACTION_VALUE["items"],
            "channel": "store",
            "external_ref": "dentrix-inv-2026-0412",
        },
    )
]
TRANSACTION_REFUND_INPUT = [
    request_example(
        "Part of a payment back",
        {
            "amount": "94.00",
            "occurred_at": "2026-05-13T15:10:00Z",
            "external_ref": "dentrix-ref-2026-0031",
        },
    )
]
TRANSACTION_REFUND = [
    response_example(
        "The refund",
        {
            **TRANSACTION_VALUE,
            "id": 7745,
            "kind": "refund",
            "amount": "94.00",
            "occurred_at": "2026-05-13T15:10:00Z",
            "items": [],
            "external_ref": "dentrix-ref-2026-0031",
            "refund_of": 7731,
            "created": "2026-05-13T15:10:02Z",
        },
    )
]

# --- custom fields -----------------------------------------------------------------------------
CUSTOM_FIELD_VALUE = {
    "id": 4,
    "key": "insurer",
    "label": "Dental insurer",
    "type": "choice",
    "choices": ["Delta Dental", "Cigna Dental", "MetLife", "Guardian", "None"],
    "required": False,
    "created": "2025-08-20T15:00:00Z",
}
CUSTOM_FIELD = [response_example("The patient's insurer", CUSTOM_FIELD_VALUE)]
CUSTOM_FIELD_INPUT = [
    request_example(
        "The patient's insurer",
        {
            "key": "insurer",
            "label": "Dental insurer",
            "type": "choice",
            "choices": ["Delta Dental", "Cigna Dental", "MetLife", "Guardian", "None"],
            "required": False,
        },
    )
]
CUSTOM_FIELD_UPDATE_INPUT = [
    request_example(
        "One more insurer",
        {"choices": ["Delta Dental", "Cigna Dental", "MetLife", "Guardian", "Aetna", "None"]},
    )
]

# --- segments ----------------------------------------------------------------------------------
RECALL_RULES = {
    "op": "and",
    "rules": [
        {"field": "appointments.last_visit", "cmp": "not_within", "value": 180},
        {"field": "appointments.next_booked", "cmp": "is", "value": False},
        {"field": "consent.sms", "cmp": "eq", "value": "opted_in"},
    ],
}
SEGMENT_VALUE = {
    "id": 12,
    "name": "Due for a check-up",
    "description": "No visit in six months and nothing booked; texts allowed",
    "kind": "dynamic",
    "rules": RECALL_RULES,
    "created": "2026-01-15T17:30:00Z",
    "updated": "2026-04-02T14:12:40Z",
}
SEGMENT = [response_example("Patients due for a check-up", SEGMENT_VALUE)]
SEGMENT_INPUT = [
    request_example(
        "Patients due for a check-up",
        {
            "name": "Due for a check-up",
            "description": "No visit in six months and nothing booked; texts allowed",
            "kind": "dynamic",
            "rules": RECALL_RULES,
        },
    ),
    request_example(
        "A hand-picked list",
        {"name": "Invisalign open house, June", "kind": "static"},
    ),
]
NINE_MONTHS = {
    "description": "No visit in nine months and nothing booked; texts allowed",
    "rules": {
        **RECALL_RULES,
        "rules": [
            {"field": "appointments.last_visit", "cmp": "not_within", "value": 270},
            *RECALL_RULES["rules"][1:],
        ],
    },
}
SEGMENT_CHANGE = [
    request_example("Nine months instead of six", NINE_MONTHS),
    response_example(
        "The segment, changed",
        {**SEGMENT_VALUE, **NINE_MONTHS, "updated": "2026-05-12T16:31:02Z"},
    ),
]
SEGMENT_MEMBERS_INPUT = [request_example("Three patients", {"contact_ids": [1042, 1057, 1190]})]
SEGMENT_MEMBERS_RESULT = [response_example("Two of the three changed", {"changed": 2})]
SEGMENT_COUNT = [response_example("Patients in the segment now", {"count": 318})]
SEGMENT_FIELD = [
    response_example(
        "A field of the contact",
        {
            "field": "city",
            "label": "City",
            "group": "Contact",
            "comparisons": [
                {"cmp": "eq", "label": "is", "value": "text"},
                {"cmp": "neq", "label": "is not", "value": "text"},
                {"cmp": "contains", "label": "contains", "value": "text"},
                {"cmp": "starts", "label": "starts with", "value": "text"},
                {"cmp": "empty", "label": "is empty", "value": ""},
                {"cmp": "not_empty", "label": "is not empty", "value": ""},
            ],
            "choices": [],
            "needs": [],
        },
    )
]

# --- privacy -----------------------------------------------------------------------------------
CONTACT_ERASED = [
    response_example("Erased", {"id": 1042, "erased_at": "2026-05-20T15:41:09Z"}),
]
CONTACT_EXPORT = [
    response_example(
        "Everything held on a patient (shortened)",
        {
            "exported_at": "2026-05-20T15:40:02.118204+00:00",
            "profile": {
                "id": 1042,
                "first_name": "Emily",
                "last_name": "Carter",
                "email": "emily.carter@example.com",
                "phone": "+13125550147",
                "city": "Chicago",
                "owner": "sofia@brightsmile.example",
            },
            "custom": {"insurer": "Delta Dental"},
            "consent": {
                "current": CONSENT_STATE,
                "history": [
                    {
                        "channel": "sms",
                        "status": "opted_in",
                        "previous": "unknown",
                        "method": "api",
                        "note": "Ticked 'Text me reminders' on the intake form",
                        "occurred_at": "2026-04-28T14:05:12+00:00",
                    }
                ],
            },
            "timeline": [
                {
                    "type": "appointment.booked",
                    "occurred_at": "2026-04-28T14:06:40+00:00",
                    "source": "appointments",
                    "properties": {
                        "appointment_id": 5307,
                        "service": "Check-up",
                        "staff": "Dr. Maya Patel",
                        "starts_at": "2026-05-12T15:30:00+00:00",
                        "local_time": "Tue May 12, 10:30 AM",
                        "status": "booked",
                        "source": "online",
                    },
                    "client_event_id": "",
                }
            ],
            "tasks": [],
            "transactions": [
                {
                    "kind": "purchase",
                    "amount": "189.00",
                    "currency": "USD",
                    "occurred_at": "2026-05-12T16:05:00+00:00",
                    "items": TRANSACTION_VALUE["items"],
                    "channel": "store",
                    "external_ref": "dentrix-inv-2026-0412",
                }
            ],
            "lists": ["Invisalign open house, June"],
            "rfm": None,
            "messages": [],
            "appointments": [],
        },
        description="The sections of other modules (messages, appointments) follow the "
        "contact's own.",
    )
]
