"""Example requests and answers of the appointments API, as Bright Smile Dental (Chicago,
America/Chicago) would see them: Emily Carter (contact 1042) books a check-up (service 1) with
Dr. Maya Patel (staff 1) in Chair 1 (room 1) on Tuesday 12 May 2026 at 10:30 AM, which the API
writes in UTC as 15:30Z (cxsuite/lib/openapi.py says how examples are shown)."""

from __future__ import annotations

from cxsuite.lib.openapi import request_example, response_example

# --- what can be booked ------------------------------------------------------------------------
SERVICE = [
    response_example(
        "A check-up",
        {
            "id": 1,
            "name": "Check-up",
            "description": "Examination and advice; X-rays when needed.",
            "duration_minutes": 30,
            "price": "95.00",
            "buffer_before_minutes": 0,
            "buffer_after_minutes": 10,
            "step_minutes": None,
            "daily_cap": None,
            "needs_confirmation": False,
            "min_notice_minutes": 120,
            "horizon_days": 90,
            "online": True,
            "needs_room": True,
            "staff": [1, 2, 3],
            "rooms": [1, 2, 3],
            "recall_months": 6,
            "color": "#0ea5e9",
            "active": True,
            "position": 0,
        },
    )
]
STAFF_MEMBER = [
    response_example(
        "A dentist",
        {
            "id": 1,
            "name": "Dr. Maya Patel",
            "title": "Dentist",
            "color": "#2563eb",
            "active": True,
            "bookable_online": True,
            "position": 0,
            "services": [1, 3, 4, 5],
        },
    )
]
ROOM = [
    response_example(
        "A treatment chair", {"id": 1, "name": "Chair 1", "active": True, "position": 0}
    )
]

# --- free times --------------------------------------------------------------------------------
SLOTS = [
    {
        "starts_at": "2026-05-12T14:00:00Z",
        "local_time": "2026-05-12T09:00:00-05:00",
        "staff_ids": [3, 1],
    },
    {
        "starts_at": "2026-05-12T14:30:00Z",
        "local_time": "2026-05-12T09:30:00-05:00",
        "staff_ids": [3],
    },
    {
        "starts_at": "2026-05-12T15:30:00Z",
        "local_time": "2026-05-12T10:30:00-05:00",
        "staff_ids": [1, 2],
    },
]
AVAILABILITY = [
    response_example(
        "Free times for a check-up on one day",
        {
            "service": 1,
            "staff": None,
            "date_from": "2026-05-12",
            "date_to": "2026-05-12",
            "time_zone": "America/Chicago",
            "slots": SLOTS,
        },
    )
]

# --- appointments ------------------------------------------------------------------------------
APPOINTMENT_VALUE = {
    "id": 5307,
    "contact": 1042,
    "service": 1,
    "staff": 1,
    "room": 1,
    "starts_at": "2026-05-12T15:30:00Z",
    "ends_at": "2026-05-12T16:00:00Z",
    "status": "booked",
    "source": "api",
    "awaiting_approval": False,
    "price": "95.00",
    "notes": "First visit; bring the insurance card.",
    "reschedule_count": 0,
    "confirmed_at": None,
    "checked_in_at": None,
    "completed_at": None,
    "cancelled_at": None,
    "cancel_reason": "",
    "created": "2026-04-28T14:06:40Z",
    "updated": "2026-04-28T14:06:40Z",
}
APPOINTMENT = [response_example("A booked check-up", APPOINTMENT_VALUE)]
APPOINTMENT_INPUT = [
    request_example(
        "A known patient at a free time",
        {
            "service": 1,
            "starts_at": "2026-05-12T15:30:00Z",
            "staff": 1,
            "contact": 1042,
            "notes": "First visit; bring the insurance card.",
        },
        description="`starts_at` is one of the free times of GET /availability/.",
    ),
    request_example(
        "A new patient, by name, email and phone",
        {
            "service": 1,
            "starts_at": "2026-05-12T10:30:00-05:00",
            "contact_details": {
                "first_name": "Emily",
                "last_name": "Carter",
                "email": "emily.carter@example.com",
                "phone": "+13125550147",
            },
            "notify": True,
        },
        description="The contact with this email, else this phone, is used; else one is "
        "created. Leaving out `staff` books whoever is free (the least busy first).",
    ),
]
RESCHEDULE = [
    request_example(
        "Another day, with another dentist",
        {"starts_at": "2026-05-14T19:00:00Z", "staff": 3},
    ),
    response_example(
        "Moved",
        {
            **APPOINTMENT_VALUE,
            "staff": 3,
            "room": 3,
            "starts_at": "2026-05-14T19:00:00Z",
            "ends_at": "2026-05-14T19:30:00Z",
            "reschedule_count": 1,
            "updated": "2026-05-08T13:12:09Z",
        },
    ),
]
CANCEL = [
    request_example(
        "The patient called to cancel",
        {"reason": "Has the flu; will call back to rebook", "by_customer": True},
    ),
    response_example(
        "Cancelled",
        {
            **APPOINTMENT_VALUE,
            "status": "cancelled",
            "cancelled_at": "2026-05-11T13:02:55Z",
            "cancel_reason": "Has the flu; will call back to rebook",
            "updated": "2026-05-11T13:02:55Z",
        },
    ),
]
STATUS = [
    request_example("Checked in at the front desk", {"status": "checked_in"}),
    response_example(
        "Checked in",
        {
            **APPOINTMENT_VALUE,
            "status": "checked_in",
            "confirmed_at": "2026-05-11T16:40:12Z",
            "checked_in_at": "2026-05-12T15:24:37Z",
            "updated": "2026-05-12T15:24:37Z",
        },
    ),
]
SLOT_TAKEN = [
    response_example(
        "Someone else took the time",
        {
            "error": {
                "code": "slot_taken",
                "message": "Sorry, that time was just taken. Please choose another one.",
                "fields": {
                    "starts_at": ["Sorry, that time was just taken. Please choose another one."]
                },
                "next_slots": SLOTS[:2],
            }
        },
        status_codes=["409"],
    )
]

# --- the waitlist ------------------------------------------------------------------------------
WAITLIST_ENTRY = [
    response_example(
        "Waiting for a cleaning with Hannah",
        {
            "id": 88,
            "contact": 1042,
            "service": 2,
            "staff": 4,
            "date_from": "2026-05-18",
            "date_to": "2026-05-29",
            "status": "waiting",
            "notified_at": None,
            "appointment": None,
            "created": "2026-05-12T16:25:10Z",
        },
    )
]
WAITLIST_ENTRY_INPUT = [
    request_example(
        "A cleaning with Hannah in the next two weeks",
        {
            "contact": 1042,
            "service": 2,
            "staff": 4,
            "date_from": "2026-05-18",
            "date_to": "2026-05-29",
        },
    )
]
