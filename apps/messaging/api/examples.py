"""Example requests and answers of the messaging API, as Bright Smile Dental would see them: the
reminder texted to Emily Carter (contact 1042) for her check-up, and the wording of that
reminder (cxsuite/lib/openapi.py says how examples are shown)."""

from __future__ import annotations

from cxsuite.lib.openapi import request_example, response_example

REMINDER_TEXT = (
    "Hi Emily, a reminder from Bright Smile Dental: Check-up on Tue May 12, 10:30 AM. "
    "Reply C to confirm."
)

MESSAGE = [
    response_example(
        "A reminder delivered by SMS",
        {
            "id": 90412,
            "contact": 1042,
            "purpose": "appointment_reminder",
            "category": "transactional",
            "channel": "sms",
            "language": "en",
            "to": "+13125550147",
            "subject": "",
            "body": REMINDER_TEXT,
            "status": "delivered",
            "reason": "",
            "dedupe_key": "appointment:5307:reminder:1440:best:20260511",
            "provider": "twilio",
            "provider_message_id": "SM8f2c1e5b7a9d4c3e8f1a2b3c4d5e6f70",
            "related_type": "appointment",
            "related_id": "5307",
            "scheduled_for": None,
            "sent_at": "2026-05-11T15:30:04Z",
            "delivered_at": "2026-05-11T15:30:07Z",
            "opened_at": None,
            "clicked_at": None,
            "replied_at": None,
            "attempts": 1,
            "error": "",
            "created": "2026-05-11T15:30:02Z",
        },
    )
]
MESSAGE_INPUT = [
    request_example(
        "A reminder on the channel the patient answers",
        {
            "contact": 1042,
            "purpose": "appointment_reminder",
            "context": {
                "appointment": {
                    "starts_at": "Tue May 12, 10:30 AM",
                    "service": "Check-up",
                    "staff": "Dr. Maya Patel",
                    "confirm_link": "https://bright-smile.example.com/a/7Hq2kP9x/",
                }
            },
            "dedupe_key": "pms-reminder-5307",
        },
        description="Leave out `channel` to let the best one be chosen; the same dedupe_key "
        "never sends twice.",
    )
]

REMINDER_VARIABLES = [
    "appointment.confirm_link",
    "appointment.service",
    "appointment.staff",
    "appointment.starts_at",
    "business.name",
    "contact.custom.insurer",
    "contact.email",
    "contact.first_name",
    "contact.last_name",
    "contact.name",
    "unsubscribe_link",
]
OWN_REMINDER = (
    "Hi {{ contact.first_name }}, it's {{ business.name }}: {{ appointment.service }} with "
    "{{ appointment.staff }} on {{ appointment.starts_at }}. Reply C to confirm or call "
    "(312) 555-0100 to move it."
)
TEMPLATE = [
    response_example(
        "The practice's own reminder text",
        {
            "purpose": "appointment_reminder",
            "purpose_label": "Appointment reminder",
            "channel": "sms",
            "language": "en",
            "subject": "",
            "body": OWN_REMINDER,
            "own": True,
            "updated": "2026-04-30T18:02:11Z",
            "variables": REMINDER_VARIABLES,
        },
    )
]
TEMPLATE_INPUT = [
    request_example("A reminder text", {"body": OWN_REMINDER}),
    request_example(
        "A reminder e-mail",
        {
            "subject": "See you {{ appointment.starts_at }} at {{ business.name }}",
            "body": "Hello {{ contact.first_name }},\n\nThis is a reminder of your "
            "{{ appointment.service }} with {{ appointment.staff }} on "
            "{{ appointment.starts_at }}.\n\nConfirm or move it here: "
            "{{ appointment.confirm_link }}\n\nBright Smile Dental",
        },
        description="E-mails need a subject; SMS and voice take none.",
    ),
]
