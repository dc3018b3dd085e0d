"""The member's card behind the signed link: what it shows, on whose link, the QR codes;
the referral link's join page; and that every loyalty message offers the card's link."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.loyalty.models import Referral
from apps.loyalty.services.card import member_card_url
from apps.loyalty.services.ledger import points_earn
from apps.loyalty.services.vouchers import reward_redeem
from apps.messaging.registries import purposes
from tests.conftest import alpha
from tests.loyalty.factories import MemberFactory, RewardFactory, TierFactory
from tests.loyalty.helpers import program_set

pytestmark = pytest.mark.django_db


def path_of(url: str) -> str:
    return url.split("localhost", 1)[-1].split(":8000", 1)[-1]


def test_card_shows_balance_lots_tier_vouchers_and_rewards(
    tenant, tenant_client, manager, django_assert_max_num_queries
):
    program_set(tiers_enabled=True, expiry_months=12, referrals_enabled=True)
    TierFactory(name="Silver", threshold=100)
    TierFactory(name="Gold", threshold=1000)
    member = MemberFactory(contact__first_name="Ada")
    now = timezone.now()
    points_earn(
        member=member,
        points=200,
        source="staff",
        idempotency_key="a",
        at=now - dt.timedelta(days=40),
    )
    points_earn(
        member=member,
        points=150,
        source="staff",
        idempotency_key="b",
        at=now - dt.timedelta(days=5),
    )
    voucher = reward_redeem(
        member=member,
        reward=RewardFactory(name="Polish", cost_points=100),
        idempotency_key="r",
        staff=manager,
    )
    RewardFactory(name="Whitening", cost_points=200)
    RewardFactory(name="Crown", cost_points=5000)
    url = path_of(member_card_url(member=member))
    with django_assert_max_num_queries(16):
        response = tenant_client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ada's card" in html and "<strong>250</strong>" in html
    assert voucher.code in html and "Polish" in html
    assert "Whitening" in html and "Crown" in html  # affordable, and coming up
    assert html.count("expire ") >= 2  # every lot's expiry
    assert "Silver" in html and "650 more points earned within 12 months reach Gold." in html
    assert f"/join/{member.referral_code}/" in html
    qr = tenant_client.get(f"{url}qr.svg")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    assert tenant_client.get(f"{url}qr.svg", {"voucher": voucher.code}).status_code == 200
    assert tenant_client.get(f"{url}qr.svg", {"voucher": "NOTMINE"}).status_code == 404


def test_a_broken_or_foreign_link_is_a_friendly_404(tenant, tenant_client, other_tenant_client):
    member = MemberFactory()
    url = path_of(member_card_url(member=member))
    assert tenant_client.get(url[:-3] + "xx/").status_code == 404
    response = other_tenant_client.get(url)
    assert response.status_code == 404 and "not valid" in response.content.decode()


def test_every_loyalty_purpose_carries_the_card_link():
    mine = [p for key, p in purposes.items() if key.startswith("loyalty")]
    assert mine
    for purpose in mine:
        assert "loyalty.card_link" in purpose.variables
        for (channel, _lang), (_subject, body) in purpose.defaults.items():
            if channel != "voice":
                assert "{{ loyalty.card_link }}" in body


def test_join_by_referral_link_records_the_referral(tenant, tenant_client):
    program_set(referrals_enabled=True)
    referrer = MemberFactory(contact__first_name="Ada", contact__email="ada@example.com")
    url = f"/join/{referrer.referral_code}/"
    assert "Ada invited you" in tenant_client.get(url).content.decode()
    bad = tenant_client.post(url, {"first_name": "Bo", "last_name": "B", "email": "x", "phone": ""})
    assert bad.status_code == 400
    response = tenant_client.post(
        url,
        {
            "first_name": "Bo",
            "last_name": "Brown",
            "email": "bo@example.com",
            "phone": "+12025550143",
        },
    )
    assert response.status_code == 302 and "/card/" in response["Location"]
    with alpha():
        referral = Referral.objects.get()
    assert referral.referrer_id == referrer.pk and referral.email == "bo@example.com"
    again = tenant_client.post(
        url,
        {
            "first_name": "Ada",
            "last_name": "L",
            "email": "ada@example.com",
            "phone": "+12025550144",
        },
    )
    assert again.status_code == 400 and "refer yourself" in again.content.decode()


def test_join_link_is_404_when_referrals_are_off(tenant, tenant_client):
    program_set(referrals_enabled=False)
    member = MemberFactory()
    with schema_context("alpha"):
        code = member.referral_code
    assert tenant_client.get(f"/join/{code}/").status_code == 404
