"""Example requests and answers of the campaigns API, as Bright Smile Dental would see them:
its spring newsletter to the "Newsletter readers" list. Times are UTC, as the API speaks."""

from __future__ import annotations

from cxsuite.lib.openapi import request_example, response_example

BLOCKS = [
    {"type": "heading", "text": "Spring at Bright Smile"},
    {"type": "text", "text": "Longer opening hours on Thursdays."},
    {"type": "button", "text": "Book a check-up", "url": "https://bright-smile.example/book"},
    {"type": "footer"},
]
VARIANT = {
    "label": "A",
    "subject": "Spring at Bright Smile",
    "sender_name": "",
    "blocks": BLOCKS,
    "sms_text": "",
}
CAMPAIGN_VALUE = {
    "id": 12,
    "name": "Spring newsletter",
    "channel": "email",
    "status": "scheduled",
    "topic": "newsletter",
    "segment_ids": [4],
    "excluded_segment_ids": [],
    "schedule": "at",
    "send_at": "2026-05-04T08:00:00Z",
    "local_time": None,
    "passed_hour": "next_day",
    "throttle_per_minute": 300,
    "send_by": "2026-05-11T22:00:00Z",
    "ab_share": 0,
    "winner_metric": "opens",
    "winner_wait_hours": 4,
    "conversion_days": 7,
    "pause_reason": "",
    "variants": [VARIANT],
    "created": "2026-04-28T14:05:12Z",
}
CAMPAIGN = [response_example("A scheduled newsletter", CAMPAIGN_VALUE)]
CAMPAIGN_INPUT = [
    request_example(
        "A newsletter to a list",
        {
            "name": "Spring newsletter",
            "channel": "email",
            "segment_ids": [4],
            "topic": "newsletter",
            "throttle_per_minute": 300,
            "variants": [{"subject": "Spring at Bright Smile", "blocks": BLOCKS}],
        },
    ),
    request_example(
        "An offer with an A/B test of two subjects",
        {
            "name": "Whitening offer",
            "channel": "email",
            "segment_ids": [4],
            "excluded_segment_ids": [7],
            "send_by": "2026-05-31T21:59:00Z",
            "ab_share": 30,
            "winner_metric": "clicks",
            "winner_wait_hours": 4,
            "conversion_days": 14,
            "variants": [
                {"subject": "Whitening: 20% off in May", "blocks": BLOCKS},
                {"subject": "A brighter smile for less", "blocks": BLOCKS},
            ],
        },
    ),
]
SCHEDULE_INPUT = [
    request_example("Now", {"schedule": "now"}),
    request_example(
        "At 10:00 in each contact's own zone",
        {
            "schedule": "local",
            "send_at": "2026-05-04T00:00:00Z",
            "local_time": "10:00:00",
            "passed_hour": "next_day",
        },
    ),
]
REPORT_VALUE = {
    "progress": {"total": 148, "settled": 148, "sent": 131, "skipped": 17, "waiting": 0},
    "figures": {
        "sent": 131,
        "delivered": 129,
        "bounced": 1,
        "opened": 58,
        "machine_opened": 19,
        "clicked": 17,
        "replied": 0,
        "unsubscribed": 1,
        "complained": 0,
        "converted": 3,
        "cap_held": 0,
    },
    "not_sent": {"no_consent": 15, "capped": 2},
    "links": [{"url": "https://bright-smile.example/book", "clicks": 14, "people": 12}],
    "by_variant_and_channel": {"A:email": {"sent": 131, "opened": 58}},
}
REPORT = [response_example("A sent newsletter", REPORT_VALUE)]
