"""The offer catalogue's rewards: checked when the offer is saved, given once through loyalty
when the offer is accepted, the outcome written on the offer made; a test run records no
offer."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from apps.journeys.models import OfferMade
from apps.journeys.services import journey_test_run, offer_save
from apps.journeys.services.offers import offer_reward_clean, offers_accept_for_event
from apps.loyalty.models import LedgerEntry, Voucher
from apps.loyalty.services.ledger import member_for_contact, points_available
from tests.helpers.clock import clock_at
from tests.loyalty.factories import RewardFactory

from .factories import live_journey, reachable_contact
from .test_engine import advance, noon, post

OFFER_STEP = {"id": "o", "type": "offer", "config": {"channel": "email"}}


@pytest.fixture
def at_noon(tenant):
    with clock_at(noon()) as traveller:
        yield traveller


def offered(offer_reward: dict, *, contact=None):
    """An offer with this reward, made to a contact by a live journey's offer step."""
    offer = offer_save(
        name="Renewal upgrade",
        text="Upgrade at renewal",
        accepted_event="purchase.made",
        reward=offer_reward,
    )
    journey = live_journey(steps=[OFFER_STEP])
    contact = contact or reachable_contact()
    post(contact, "order.ready")
    advance(journey, noon())
    return offer, OfferMade.objects.get(offer=offer, contact=contact)


@pytest.mark.parametrize(
    ("reward", "clean"),
    [
        (None, {}),
        ({}, {}),
        ({"type": "points", "points": "200"}, {"type": "points", "points": 200, "reason": ""}),
        (
            {"type": "voucher", "kind": "percent_off", "value": "15", "valid_days": 30},
            {
                "type": "voucher",
                "reward": None,
                "kind": "percent_off",
                "value": "15.00",
                "valid_days": 30,
            },
        ),
    ],
)
def test_a_reward_is_cleaned_to_what_is_given(tenant, reward, clean):
    assert offer_reward_clean(reward) == clean


@pytest.mark.parametrize(
    "reward",
    [
        {"type": "cash", "points": 5},
        ["points", 5],
        {"type": "points", "points": 0},
        {"type": "points", "points": 10**12},
        {"type": "points", "points": "lots"},
        {"type": "voucher", "reward": 987654},
        {"type": "voucher", "kind": "percent_off", "value": "250"},
        # what an attacker sends: infinities, NaN, ids past any column, objects for numbers
        {"type": "points", "points": float("inf")},
        {"type": "points", "points": {"deep": [1]}},
        {"type": "voucher", "reward": float("inf")},
        {"type": "voucher", "reward": 10**30},
        {"type": "voucher", "kind": "percent_off", "value": "NaN"},
        {"type": "voucher", "kind": "amount_off", "value": "1e5000"},
        {"type": "voucher", "kind": "amount_off", "value": "5", "valid_days": float("inf")},
        {"type": "voucher", "kind": "amount_off", "value": "5", "valid_days": [1]},
    ],
)
def test_a_bad_reward_is_refused_naming_the_reward_field(tenant, reward):
    with pytest.raises(ValidationError) as caught:
        offer_save(name="X", text="X", accepted_event="purchase.made", reward=reward)
    assert list(caught.value.message_dict) == ["reward"]


def test_an_offer_cannot_end_before_it_starts(tenant):
    import datetime as dt

    with pytest.raises(ValidationError) as caught:
        offer_save(
            name="X",
            text="X",
            accepted_event="purchase.made",
            valid_from=dt.date(2027, 3, 1),
            valid_until=dt.date(2027, 2, 1),
        )
    assert list(caught.value.message_dict) == ["valid_until"]


def test_accepting_an_offer_gives_its_points_once(at_noon):
    offer, made = offered({"type": "points", "points": 200})
    contact = made.contact
    assert member_for_contact(contact) is None  # nothing before the offer is accepted

    event = post(contact, "purchase.made", amount="30")
    post(contact, "purchase.made", amount="12")  # a second purchase accepts nothing more
    offers_accept_for_event(contact_id=contact.pk, event=event)  # a replayed event

    made.refresh_from_db()
    assert made.accepted_at is not None
    assert made.reward_note == "200 points"
    entry = LedgerEntry.objects.get(idempotency_key=f"offer:{made.pk}")
    assert (entry.points, entry.reason) == (200, offer.name)
    assert points_available(member_for_contact(contact)) == 200


def test_accepting_an_offer_gives_its_catalogue_voucher(at_noon):
    whitening = RewardFactory(name="Free whitening", stock=1)
    _offer, made = offered({"type": "voucher", "reward": whitening.pk})

    post(made.contact, "purchase.made", amount="30")

    made.refresh_from_db()
    voucher = Voucher.objects.get(idempotency_key=f"offer:{made.pk}")
    assert voucher.member.contact_id == made.contact_id
    assert made.reward_note == "Voucher: Free whitening"
    whitening.refresh_from_db()
    assert whitening.stock == 0


def test_a_voucher_out_of_stock_is_not_given_and_the_note_says_why(at_noon):
    whitening = RewardFactory(name="Free whitening", stock=1)
    _offer, made = offered({"type": "voucher", "reward": whitening.pk})
    whitening.stock = 0
    whitening.save()

    post(made.contact, "purchase.made", amount="30")

    made.refresh_from_db()
    assert made.accepted_at is not None  # accepted all the same: the figures count it
    assert made.reward_note.startswith("Not given: ")
    assert not Voucher.objects.filter(idempotency_key=f"offer:{made.pk}").exists()


def test_an_offer_without_a_reward_gives_nothing(at_noon):
    _offer, made = offered({})
    post(made.contact, "purchase.made", amount="30")
    made.refresh_from_db()
    assert made.accepted_at is not None and made.reward_note == ""
    assert member_for_contact(made.contact) is None


def test_a_test_run_makes_no_offer_the_figures_would_count(at_noon):
    offer = offer_save(
        name="Plan",
        text="Pay in parts",
        accepted_event="invoice.paid",
        reward={"type": "points", "points": 50},
    )
    journey = live_journey(steps=[OFFER_STEP])
    contact = reachable_contact()

    enrollment = journey_test_run(journey=journey, contact=contact)

    run = enrollment.runs.get(step_type="offer")
    assert run.detail["offer"] == offer.name
    assert not OfferMade.objects.exists()
    post(contact, "invoice.paid", invoice_id="1")
    assert member_for_contact(contact) is None


def test_the_api_takes_and_shows_a_reward(api_client, tenant):
    created = api_client.post(
        "/api/v1/offers/",
        {
            "name": "Plan",
            "text": "Pay in parts",
            "accepted_event": "invoice.paid",
            "reward": {"type": "points", "points": 150},
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["reward"] == {"type": "points", "points": 150, "reason": ""}
    bad = api_client.post(
        "/api/v1/offers/",
        {
            "name": "Plan",
            "text": "Pay in parts",
            "accepted_event": "invoice.paid",
            "reward": {"type": "points", "points": {"deep": [1, 2, 3]}},
        },
        format="json",
    )
    assert bad.status_code == 400
    assert list(bad.json()["error"]["fields"]) == ["reward"]


def test_an_offer_for_a_segment_is_made_to_its_members_only(at_noon):
    from apps.contacts.services import segment_create, segment_members_add
    from apps.journeys.services.offers import offers_eligible

    vip = segment_create(name="VIP", kind="static")
    member, other = reachable_contact(), reachable_contact()
    segment_members_add(segment=vip, contact_ids=[member.pk])
    offer = offer_save(name="VIP", text="Just for you", accepted_event="x.y", segment=vip.pk)
    today = noon().date()

    assert offers_eligible(contact=member, today=today) == [offer]
    assert offers_eligible(contact=other, today=today) == []


def test_deleting_its_segment_pauses_an_offer_instead_of_opening_it_to_all(at_noon):
    from apps.contacts.services import segment_create, segment_delete

    vip = segment_create(name="VIP", kind="static")
    offer = offer_save(name="VIP", text="Just for you", accepted_event="x.y", segment=vip)
    everyone = offer_save(name="All", text="For all", accepted_event="x.y")

    segment_delete(segment=vip)

    offer.refresh_from_db()
    everyone.refresh_from_db()
    assert (offer.segment_id, offer.active) == (None, False)
    assert everyone.active


@pytest.mark.parametrize("segment", [987654, "vip", 10**30, [1]])
def test_a_segment_that_is_not_the_business_s_is_refused(tenant, segment):
    with pytest.raises(ValidationError) as caught:
        offer_save(name="X", text="X", accepted_event="x.y", segment=segment)
    assert list(caught.value.message_dict) == ["segment"]


def test_the_privacy_export_lists_the_offers_made_and_what_they_gave(at_noon):
    from apps.journeys.services.privacy import journeys_export

    offer, made = offered({"type": "points", "points": 200})
    post(made.contact, "purchase.made", amount="30")

    [row] = journeys_export(made.contact)

    assert [(o["offer"], o["reward"]) for o in row["offers"]] == [(offer.name, "200 points")]
    assert row["offers"][0]["accepted_at"] is not None


def test_points_that_cannot_be_given_are_noted_and_the_subscriber_goes_on(at_noon, monkeypatch):
    """Loyalty refusing the points (here: a refusal loyalty may give) must not fail the
    journeys subscriber, which would hold every other event back."""
    from apps.journeys import step_loyalty

    _offer, made = offered({"type": "points", "points": 200})

    def refuse(**_kwargs):
        raise ValidationError({"member": "This member can no longer earn points."})

    monkeypatch.setattr(step_loyalty, "points_grant", refuse)
    post(made.contact, "purchase.made", amount="30")

    made.refresh_from_db()
    assert made.accepted_at is not None
    assert made.reward_note == "Not given: This member can no longer earn points."
