"""Example answers of the accounts API, as Bright Smile Dental (Chicago) would see them: its
front desk (Sofia Ramirez, user 3), an invitation to a new hygienist, and who a request is
authenticated as (cxsuite/lib/openapi.py says how examples are shown)."""

from __future__ import annotations

from cxsuite.lib.openapi import request_example, response_example

USER = [
    response_example(
        "The front desk",
        {
            "id": 3,
            "email": "sofia@brightsmile.example",
            "name": "Sofia Ramirez",
            "role": "staff",
            "time_zone": "America/Chicago",
            "is_active": True,
            "date_joined": "2025-08-20T15:04:31Z",
        },
    )
]
INVITATION = [
    response_example(
        "A new hygienist, invited",
        {
            "id": 9,
            "email": "jordan.lee@brightsmile.example",
            "role": "staff",
            "created": "2026-05-04T14:20:00Z",
            "accepted_at": None,
            "revoked_at": None,
        },
    )
]
INVITATION_INPUT = [
    request_example("A new hygienist", {"email": "jordan.lee@brightsmile.example", "role": "staff"})
]
ME = [
    response_example(
        "A partner's API key",
        {
            "business": "Bright Smile Dental",
            "time_zone": "America/Chicago",
            "kind": "api_key",
            "name": "Dentrix sync",
            "role": None,
            "scopes": ["read", "write"],
        },
    ),
    response_example(
        "A team member's session",
        {
            "business": "Bright Smile Dental",
            "time_zone": "America/Chicago",
            "kind": "user",
            "name": "Sofia Ramirez",
            "role": "staff",
            "scopes": ["read", "write"],
        },
    ),
]
