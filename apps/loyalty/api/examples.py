"""Example requests and answers of the loyalty API, as Bright Smile Dental (Chicago) would
see them: Emily Carter (contact 1042) is member 17, a Silver member with 1,240 points; she
spends 500 on a free whitening (reward 3) and the voucher K7QM4XR2PZ9T is used at the desk."""

from __future__ import annotations

from cxsuite.lib.openapi import request_example, response_example

MEMBER = [
    response_example(
        "A Silver member",
        {
            "id": 17,
            "contact": 1042,
            "balance": 1240,
            "wallet_balance": "12.50",
            "tier": 2,
            "tier_name": "Silver",
            "tier_since": "2026-03-02T16:05:00Z",
            "member_since": "2025-11-14T15:30:00Z",
            "referral_code": "EMC8K2QD",
            "visits": 6,
            "active": True,
        },
    )
]
ENROL = [request_example("Enrol a contact", {"contact": 1042})]
BALANCE = [
    response_example(
        "Points, pending and the next expiry",
        {
            "member": 17,
            "balance": 1240,
            "available": 1150,
            "pending": 90,
            "wallet_balance": "12.50",
            "next_expiry": "2026-11-15T06:00:00Z",
            "next_expiry_points": 200,
        },
    )
]
ENTRY = [
    response_example(
        "Points earned on a purchase",
        {
            "id": 311,
            "kind": "earn",
            "points": 90,
            "balance_after": 1240,
            "occurred_at": "2026-05-12T15:45:00Z",
            "source": "purchase",
            "transaction_id": 5120,
            "appointment_id": None,
            "event_id": 88231,
            "voucher": None,
            "reverses": None,
            "reason": "",
            "shortfall": 0,
        },
    )
]
EARN = [
    request_example("Earn from a purchase", {"transaction": 5120}),
    request_example("Earn a partner event's bonus", {"event_type": "review.posted"}),
    request_example("Give points", {"points": 50, "reason": "Referred by the partner's app"}),
]
EARN_RESULT = [
    response_example("Points earned", {"member": 17, "points": 90, "balance": 1240, "entry": 311})
]
REDEEM = [request_example("Spend points on a reward", {"reward": 3})]
VOUCHER = [
    response_example(
        "A voucher ready to use",
        {
            "id": 58,
            "code": "K7QM4XR2PZ9T",
            "member": 17,
            "source": "reward",
            "reward": 3,
            "kind": "free_service",
            "value": "0.00",
            "label": "Free whitening",
            "points_cost": 500,
            "status": "issued",
            "usable": True,
            "issued_at": "2026-05-12T15:50:00Z",
            "expires_at": "2026-08-10T15:50:00Z",
            "used_at": None,
            "used_transaction_id": None,
        },
    )
]
VOUCHER_CODE = [request_example("A code as scanned", {"code": "K7QM-4XR2-PZ9T"})]
VOUCHER_REDEEM = [
    request_example("Use a voucher on a purchase", {"code": "K7QM4XR2PZ9T", "transaction": 5133})
]
REWARD = [
    response_example(
        "A free whitening",
        {
            "id": 3,
            "name": "Free whitening",
            "description": "One in-office whitening session.",
            "kind": "free_service",
            "value": "0.00",
            "service": 4,
            "cost_points": 500,
            "stock": None,
            "available_from": None,
            "available_until": None,
            "voucher_valid_days": 90,
            "active": True,
        },
    )
]
REFERRAL = [
    response_example(
        "A referral waiting for the first visit",
        {
            "id": 9,
            "referrer": 17,
            "referred": 1107,
            "status": "pending",
            "created": "2026-05-14T18:20:00Z",
            "rewarded_at": None,
        },
    )
]
REFERRAL_INPUT = [request_example("Record a referral", {"code": "EMC8K2QD", "contact": 1107})]
