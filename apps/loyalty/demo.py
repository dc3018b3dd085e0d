"""Bright Smile Dental's loyalty program: points on every dollar and every visit, three
tiers (Silver, Gold, Platinum), 2 % cashback as wallet credit, referrals, a rewards
catalogue; forty members spread over every tier with a year of earning behind them,
vouchers issued and some of them used at the desk, and a few referrals (one rewarded).

Everything goes through the services, so the books balance as they do for real members."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.contacts.models import Contact

from .models import Reward, RewardKind, Tier
from .services.common import member_lock, program_get
from .services.ledger import member_enrol, points_earn
from .services.tiers import member_tier_evaluate
from .services.vouchers import reward_redeem, voucher_redeem

TIERS = [
    ("Silver", 500, "1.00", "5", "A free fluoride treatment each year"),
    ("Gold", 1500, "1.25", "10", "Priority booking"),
    ("Platinum", 3000, "1.50", "15", "A free whitening every year"),
]
REWARDS = [
    ("10 % off your next visit", RewardKind.PERCENT_OFF, "10", 400, None),
    ("$25 off a treatment", RewardKind.AMOUNT_OFF, "25", 900, None),
    ("Electric toothbrush", RewardKind.GIFT, "0", 1200, 15),
    ("Free whitening session", RewardKind.FREE_SERVICE, "0", 2500, None),
]
# points earned over the last year by the members, a band per tier (none, Silver, ...)
BANDS = [(60, 450), (550, 1400), (1600, 2900), (3100, 4800)]
MEMBERS = 40


def demo_seed(*, tenant, rng) -> None:
    now = timezone.now()
    program = program_get()
    program.points_enabled = program.tiers_enabled = True
    program.cashback_enabled = program.referrals_enabled = True
    program.points_per_unit = Decimal(1)
    program.points_per_visit = 25
    program.return_window_days = 14
    program.expiry_months = 24
    program.point_value = Decimal("0.01")
    program.cashback_percent = Decimal(2)
    program.referrer_points = 250
    program.referred_points = 150
    program.save()
    for name, threshold, multiplier, discount, note in TIERS:
        Tier.objects.create(
            name=name,
            threshold=threshold,
            earn_multiplier=Decimal(multiplier),
            discount_percent=Decimal(discount),
            benefits_note=note,
        )
    rewards = [
        Reward.objects.create(
            name=name,
            kind=kind,
            value=Decimal(value),
            cost_points=cost,
            stock=stock,
            description="",
            voucher_valid_days=90,
        )
        for name, kind, value, cost, stock in REWARDS
    ]
    desk = User.objects.filter(is_active=True).order_by("pk").first()
    contacts = list(
        Contact.objects.filter(erased_at__isnull=True).exclude(email="").order_by("pk")[:MEMBERS]
    )
    members = []
    for index, contact in enumerate(contacts):
        joined = now - dt.timedelta(days=rng.randint(200, 700))
        member = member_enrol(contact=contact, at=joined)
        low, high = BANDS[index % len(BANDS)]
        target = rng.randint(low, high)
        earned, n = 0, 0
        while earned < target:
            points = min(rng.randint(150, 900), target - earned)
            at = now - dt.timedelta(days=rng.randint(3, 330), hours=rng.randint(0, 8))
            points_earn(
                member=member,
                points=max(points, 1),
                source="visit" if n % 3 else "purchase",
                idempotency_key=f"demo:{member.pk}:{n}",
                at=at,
            )
            earned += max(points, 1)
            n += 1
        with transaction.atomic():  # the earns came in any order: place them as of today
            member_tier_evaluate(member=member_lock(member.pk), at=now)
        members.append(member)
    # vouchers: redeemed for rewards, some of them used at the desk since
    for index, member in enumerate(members):
        member.refresh_from_db()
        affordable = [r for r in rewards if r.cost_points <= member.balance]
        if not affordable or index % 3 == 2:
            continue
        reward = affordable[index % len(affordable)]
        issued_at = now - dt.timedelta(days=rng.randint(1, 40))
        voucher = reward_redeem(
            member=member,
            reward=reward,
            idempotency_key=f"demo:redeem:{member.pk}",
            at=issued_at,
            staff=desk,
        )
        if index % 2 == 0:
            voucher_redeem(code=voucher.code, at=issued_at + dt.timedelta(days=1), staff=desk)
    # referrals: new customers brought by members (those with no purchase yet: a customer
    # who already bought cannot be referred); the first one has visited, so both were rewarded
    from .services.referrals import referral_create, referral_qualify

    newcomers = list(
        Contact.objects.filter(erased_at__isnull=True, transactions__isnull=True, loyalty=None)
        .exclude(email="")
        .order_by("-pk")[:3]
    )
    for referrer, newcomer in zip(members[:3], newcomers, strict=False):
        referral_create(
            code=referrer.referral_code, referred=newcomer, at=now - dt.timedelta(days=20)
        )
    if newcomers:
        referral_qualify(contact=newcomers[0], at=now - dt.timedelta(days=5), appointment_id=None)
