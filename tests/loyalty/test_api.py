"""The loyalty API: members (enrol, read, balance, statement), earn (a purchase, a partner
event, points; idempotent), redeem, vouchers (validate, redeem once), rewards, referrals;
and who may do what on every endpoint (read keys, viewers, the other business)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from apps.contacts.services import transaction_record
from apps.loyalty.models import LedgerEntry, Member, Referral, Voucher
from apps.loyalty.services.ledger import points_earn
from apps.loyalty.services.vouchers import reward_redeem
from tests.accounts.test_api import assert_error, session_api_client
from tests.conftest import alpha
from tests.contacts.factories import ContactFactory
from tests.loyalty.factories import EarnRuleFactory, MemberFactory, RewardFactory
from tests.loyalty.helpers import assert_books_balance, program_set

pytestmark = pytest.mark.django_db
API = "/api/v1/loyalty"


@pytest.fixture
def objects(tenant):
    with alpha():
        program_set(referrals_enabled=True, return_window_days=0)
        member = MemberFactory(contact__email="secret@example.test")
        points_earn(member=member, points=1000, source="staff", idempotency_key="seed")
        reward = RewardFactory(name="Whitening", cost_points=300)
        voucher = reward_redeem(member=member, reward=reward, idempotency_key="seed-r")
        other = ContactFactory()
        newcomer = ContactFactory(email="new@example.test")
    return {
        "member": member.pk,
        "contact": other.pk,
        "newcomer": newcomer.pk,
        "reward": reward.pk,
        "voucher": voucher.pk,
        "code": voucher.code,
        "referral_code": member.referral_code,
    }


READS = [
    "members/",
    "members/{member}/",
    "members/{member}/balance/",
    "members/{member}/statement/",
    "vouchers/",
    "vouchers/{voucher}/",
    "rewards/",
    "rewards/{reward}/",
    "referrals/",
]
WRITES = [
    ("members/", {"contact": "{contact}"}),
    ("members/{member}/earn/", {"points": 10}),
    ("members/{member}/redeem/", {"reward": "{reward}"}),
    ("vouchers/validate/", {"code": "{code}"}),
    ("vouchers/redeem/", {"code": "{code}"}),
    ("referrals/", {"code": "{referral_code}", "contact": "{newcomer}"}),
]
WRITE_IDS = [url for url, _ in WRITES]


def fill(payload, objects):
    text = json.dumps(payload)
    for name, value in objects.items():
        text = text.replace(f'"{{{name}}}"', json.dumps(value))
    return json.loads(text)


def post(client, template, payload, objects, key="k1"):
    return client.post(
        f"{API}/{template.format(**objects)}",
        fill(payload, objects),
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def snapshot() -> tuple:
    with alpha():
        return (
            Member.objects.count(),
            LedgerEntry.objects.count(),
            list(Voucher.objects.order_by("pk").values_list("pk", "status")),
            Referral.objects.count(),
        )


@pytest.mark.parametrize("template", READS)
def test_viewer_session_and_read_key_can_read(viewer, read_api_client, objects, template):
    url = f"{API}/{template.format(**objects)}"
    assert session_api_client(viewer).get(url).status_code == 200
    assert read_api_client.get(url).status_code == 200


@pytest.mark.parametrize(("template", "payload"), WRITES, ids=WRITE_IDS)
def test_viewer_session_and_read_key_cannot_write(
    viewer, read_api_client, objects, template, payload
):
    before = snapshot()
    assert_error(post(session_api_client(viewer), template, payload, objects), 403)
    assert_error(post(read_api_client, template, payload, objects), 403)
    assert snapshot() == before


@pytest.mark.parametrize(("template", "payload"), WRITES, ids=WRITE_IDS)
def test_every_write_works_for_a_write_key(api_client, objects, template, payload):
    response = post(api_client, template, payload, objects)
    assert response.status_code in (200, 201), response.content


@pytest.mark.parametrize("template", READS + [url for url, _ in WRITES])
def test_outsider_key_and_session_are_refused(outsider_api_client, outsider, objects, template):
    before = snapshot()
    payload = dict(WRITES).get(template)
    for client in (outsider_api_client, session_api_client(outsider, slug="beta")):
        client.defaults["HTTP_HOST"] = "alpha.localhost"
        if payload is None:
            response = client.get(f"{API}/{template.format(**objects)}")
        else:
            response = post(client, template, payload, objects)
        assert response.status_code in (401, 403)
        assert "secret@example.test" not in response.content.decode()
    assert snapshot() == before


def test_earn_points_is_idempotent_by_key(api_client, objects):
    first = post(api_client, "members/{member}/earn/", {"points": 25}, objects, key="e1")
    again = post(api_client, "members/{member}/earn/", {"points": 25}, objects, key="e1")
    assert first.status_code == 201 and first.json()["points"] == 25
    assert again.json() == first.json()
    balance = api_client.get(f"{API}/members/{objects['member']}/balance/").json()
    assert balance["balance"] == 1000 - 300 + 25


def test_earn_needs_a_key_and_exactly_one_source(api_client, objects):
    url = f"{API}/members/{objects['member']}/earn/"
    assert_error(api_client.post(url, {"points": 5}, format="json"), 400)
    response = api_client.post(
        url, {"points": 5, "transaction": 1}, format="json", HTTP_IDEMPOTENCY_KEY="x"
    )
    assert_error(response, 400)


def test_earn_from_a_purchase_counts_once(api_client, objects, tenant):
    program_set(points_per_unit=1, return_window_days=0)
    with alpha():
        member = Member.objects.get(pk=objects["member"])
        tx = transaction_record(contact=member.contact, amount=80, external_ref="pos-1")
    for key in ("p1", "p2"):
        response = post(api_client, "members/{member}/earn/", {"transaction": tx.pk}, objects, key)
        assert response.status_code == 201
    with alpha():
        assert LedgerEntry.objects.filter(transaction_id=tx.pk, kind="earn").count() == 1
    other = post(api_client, "members/{member}/earn/", {"transaction": 999999}, objects, "p3")
    assert_error(other, 400)


def test_earn_from_a_partner_event(api_client, objects):
    from apps.contacts.catalogue import partner_event_types

    partner = [t.name for t in partner_event_types()]
    if not partner:
        pytest.skip("no partner event type in the catalogue")
    with alpha():
        EarnRuleFactory(trigger="event", event_type=partner[0], points=40)
    response = post(
        api_client, "members/{member}/earn/", {"event_type": partner[0]}, objects, "ev1"
    )
    assert response.status_code == 201 and response.json()["points"] == 40
    bad = post(api_client, "members/{member}/earn/", {"event_type": "nope.nope"}, objects, "ev2")
    assert_error(bad, 400)


def test_redeem_needs_enough_points_and_a_key(api_client, objects, tenant):
    with alpha():
        expensive = RewardFactory(cost_points=10_000)
    url = f"{API}/members/{objects['member']}/redeem/"
    assert_error(api_client.post(url, {"reward": objects["reward"]}, format="json"), 400)
    response = api_client.post(
        url, {"reward": expensive.pk}, format="json", HTTP_IDEMPOTENCY_KEY="big"
    )
    assert_error(response, 400)
    first = api_client.post(
        url, {"reward": objects["reward"]}, format="json", HTTP_IDEMPOTENCY_KEY="r1"
    )
    assert first.status_code == 201 and first.json()["status"] == "issued"


def test_voucher_validate_then_redeem_once(api_client, objects):
    spaced = f"{objects['code'][:4]}-{objects['code'][4:]}"
    valid = post(api_client, "vouchers/validate/", {"code": spaced}, objects, "v1")
    assert valid.status_code == 200 and valid.json()["usable"] is True
    used = post(api_client, "vouchers/redeem/", {"code": spaced}, objects, "v2")
    assert used.status_code == 200 and used.json()["status"] == "redeemed"
    again = post(api_client, "vouchers/redeem/", {"code": spaced}, objects, "v3")
    assert_error(again, 409)
    unknown = post(api_client, "vouchers/validate/", {"code": "ZZZZ"}, objects, "v4")
    assert assert_error(unknown, 400)["fields"] == {"code": ["No voucher has this code."]}
    with alpha():
        assert Voucher.objects.get(pk=objects["voucher"]).used_channel == "api"


def test_referral_rules_through_the_api(api_client, objects):
    ok = post(
        api_client,
        "referrals/",
        {"code": "{referral_code}", "contact": "{newcomer}"},
        objects,
        "f1",
    )
    assert ok.status_code == 201 and ok.json()["status"] == "pending"
    twice = post(
        api_client,
        "referrals/",
        {"code": "{referral_code}", "contact": "{newcomer}"},
        objects,
        "f2",
    )
    assert_error(twice, 400)
    with alpha():
        own = Member.objects.get(pk=objects["member"]).contact_id
    self_ref = post(
        api_client, "referrals/", {"code": "{referral_code}", "contact": own}, objects, "f3"
    )
    assert_error(self_ref, 400)


def test_member_list_and_statement_in_bounded_queries(
    api_client, objects, django_assert_max_num_queries
):
    with alpha():
        for n in range(8):
            member = MemberFactory()
            points_earn(member=member, points=n + 1, source="staff", idempotency_key=f"l{n}")
    with django_assert_max_num_queries(10):
        response = api_client.get(f"{API}/members/")
    assert response.status_code == 200
    with django_assert_max_num_queries(10):
        response = api_client.get(f"{API}/members/{objects['member']}/statement/")
    assert response.status_code == 200
    kinds = [row["kind"] for row in response.json()["results"]]
    assert kinds == ["redeem", "earn"]


def test_an_earn_takes_the_same_few_queries_whatever_the_history(
    api_client, objects, django_assert_max_num_queries
):
    """The earn locks the member and reads the program in one statement, and reads what it
    decides on and writes the balance, entry and lot in one more; the Idempotency-Key record
    is claimed and answered in the same transaction. With tiers on and a long history."""
    from tests.loyalty.factories import TierFactory

    with alpha():
        program_set(tiers_enabled=True, tier_window_months=12)
        TierFactory(name="Silver", threshold=100)
        member = Member.objects.get(pk=objects["member"])
        long_ago = timezone.now() - dt.timedelta(days=3)  # many, but not all in one day
        for n in range(30):
            points_earn(
                member=member, points=5, source="staff", idempotency_key=f"h{n}", at=long_ago
            )
    post(api_client, "members/{member}/earn/", {"points": 1}, objects, key="warm")
    # the request's transaction (a savepoint in a test, and its release), the key's record
    # claimed, the member locked with the program, the checks with the write, the timeline
    # event and the answer stored
    with django_assert_max_num_queries(7):
        response = post(api_client, "members/{member}/earn/", {"points": 25}, objects, key="q")
    assert response.status_code == 201
    with alpha():
        assert response.json()["balance"] == assert_books_balance(member)
    with django_assert_max_num_queries(5):  # a retry: the stored answer, no earn
        again = post(api_client, "members/{member}/earn/", {"points": 25}, objects, key="q")
    assert again.json() == response.json() and again["Idempotent-Replayed"] == "true"


def test_an_earn_for_an_unknown_member_is_a_404_and_keeps_nothing(api_client, objects):
    from apps.accounts.models import IdempotencyRecord

    with alpha():
        before = IdempotencyRecord.objects.count()
    response = post(api_client, "members/999999/earn/", {"points": 5}, objects, key="ghost")
    assert_error(response, 404)
    with alpha():
        assert IdempotencyRecord.objects.count() == before + 1  # a 4xx answer is kept
