"""The demo program: points, three tiers, cashback and referrals; members at every tier;
vouchers issued and used; the books balance."""

import random

import pytest
from django.db.models import Count

from apps.contacts.models import Contact
from apps.loyalty.demo import demo_seed
from apps.loyalty.models import Member, Program, Referral, Tier, Voucher
from tests.loyalty.helpers import assert_books_balance

pytestmark = pytest.mark.usefixtures("tenant")


def test_demo_program_has_members_at_every_tier_and_vouchers_used():
    Contact.objects.bulk_create(
        [
            Contact(first_name=f"Pat{n}", last_name="Demo", email=f"pat{n}@example.com")
            for n in range(46)
        ]
    )
    demo_seed(tenant=None, rng=random.Random(2026))
    program = Program.objects.get()
    assert program.points_enabled and program.tiers_enabled
    assert program.cashback_enabled and program.referrals_enabled
    assert Tier.objects.count() == 3
    per_tier = dict(Member.objects.values_list("tier__name").annotate(n=Count("pk")))
    assert {"Silver", "Gold", "Platinum", None} <= set(per_tier)
    assert Voucher.objects.filter(status="issued").exists()
    assert Voucher.objects.filter(status="redeemed").exists()
    assert Referral.objects.filter(status="rewarded").count() == 1
    assert Referral.objects.count() == 3
    for member in Member.objects.all():
        assert_books_balance(member)
