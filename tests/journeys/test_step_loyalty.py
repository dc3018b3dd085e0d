"""The loyalty steps: points granted through loyalty's ledger, and vouchers issued through
loyalty's `voucher_grant`, once per enrollment and step, however often the step is retried."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.contacts.models import TimelineEvent
from apps.journeys.models import Enrollment, StepRun
from apps.journeys.services import journey_advance
from apps.journeys.step_loyalty import points_clean, voucher_clean
from apps.loyalty.models import LedgerEntry, Voucher
from apps.loyalty.services.ledger import member_enrol, member_for_contact, points_available
from apps.loyalty.services.ledger import points_earn as loyalty_points_earn
from apps.loyalty.services.vouchers import voucher_grant
from tests.helpers.clock import BERLIN, clock_at, local, today
from tests.loyalty.factories import RewardFactory

from .factories import live_journey, reachable_contact, send

NOON = local(today(BERLIN) + dt.timedelta(days=1), 12, 0, BERLIN)


def points(step_id: str, amount: int) -> dict:
    return {"id": step_id, "type": "loyalty.points", "config": {"points": amount}}


def voucher(step_id: str, **config) -> dict:
    return {"id": step_id, "type": "loyalty.voucher", "config": config}


@pytest.fixture
def at_noon(tenant):
    with clock_at(NOON) as traveller:
        yield traveller


def enter(journey, contacts):
    now = timezone.now()
    return Enrollment.objects.bulk_create(
        Enrollment(
            journey=journey,
            version=journey.live_version,
            contact=c,
            entry_key=f"order_id:{c.pk}",
            current_step=journey.live_version.steps[0]["id"],
            next_at=now,
            entered_at=now,
        )
        for c in contacts
    )


def test_the_points_step_grants_through_the_ledger_and_goes_on(at_noon):
    journey = live_journey(steps=[points("p", 50), send("s", text="{first_name}, 50 points")])
    contacts = [reachable_contact() for _ in range(3)]
    enter(journey, contacts)
    journey_advance(journey=journey, now=timezone.now())
    for contact in contacts:
        member = member_for_contact(contact)
        assert member is not None and points_available(member) == 50
    assert set(Enrollment.objects.values_list("status", flat=True)) == {"completed"}
    assert StepRun.objects.filter(step_type="loyalty.points", outcome="granted").count() == 3


def test_a_retried_points_step_grants_once(at_noon):
    journey = live_journey(steps=[points("p", 30)])
    contact = reachable_contact()
    (enrollment,) = enter(journey, [contact])
    # the grant was made, then the step's record was lost: the retry finds the same key
    first = loyalty_points_earn(
        member=member_enrol(contact=contact),
        points=30,
        source="rule",
        idempotency_key=f"journey:{enrollment.pk}:1",
    )
    journey_advance(journey=journey, now=timezone.now())
    journey_advance(journey=journey, now=timezone.now() + dt.timedelta(minutes=5))
    member = member_for_contact(contact)
    assert points_available(member) == 30
    assert LedgerEntry.objects.filter(member=member).count() == 1
    assert StepRun.objects.get(enrollment=enrollment).detail["entry_id"] == first.pk


@pytest.mark.parametrize("value", [None, "many", 0, 100_001])
def test_the_points_are_checked_naming_the_field(value):
    with pytest.raises(ValidationError) as error:
        points_clean({"points": value})
    assert "points" in error.value.message_dict


def test_the_builder_saves_a_points_step(tenant):
    from apps.journeys.forms import StepForm
    from apps.journeys.registries import step_types

    form = StepForm(
        data={"type": "loyalty.points", "points": "25"},
        step_types=[(k, s.label) for k, s in step_types.items()],
        event_choices=[],
        segments=[],
        targets=[],
    )
    assert form.is_valid(), form.errors
    assert form.step_data() == {"type": "loyalty.points", "config": {"points": 25}}


# --- the voucher step ----------------------------------------------------------------------
def test_the_voucher_step_gives_a_reward_of_the_catalogue_free_of_points(at_noon):
    reward = RewardFactory(name="Free polish", cost_points=300, stock=5, voucher_valid_days=30)
    journey = live_journey(steps=[voucher("v", reward=reward.pk), send("s", text="A gift")])
    contacts = [reachable_contact() for _ in range(3)]
    enter(journey, contacts)
    journey_advance(journey=journey, now=timezone.now())
    vouchers = list(Voucher.objects.filter(member__contact__in=contacts))
    assert len(vouchers) == 3
    assert {v.member.contact_id for v in vouchers} == {c.pk for c in contacts}
    for issued in vouchers:
        assert (issued.label, issued.reward_id, issued.source) == ("Free polish", reward.pk, "gift")
        assert issued.points_cost == 0 and issued.status == "issued"
        assert issued.expires_at == NOON + dt.timedelta(days=30)
        assert points_available(issued.member) == 0  # no points were spent or needed
    reward.refresh_from_db()
    assert reward.stock == 2
    assert set(Enrollment.objects.values_list("status", flat=True)) == {"completed"}
    runs = StepRun.objects.filter(step_type="loyalty.voucher", outcome="granted")
    assert sorted(run.detail["voucher_id"] for run in runs) == sorted(v.pk for v in vouchers)


def test_the_voucher_step_gives_a_fixed_amount_or_percent_off(at_noon):
    journey = live_journey(
        steps=[
            voucher("a", kind="amount_off", value="12.50", valid_days=10),
            voucher("p", kind="percent_off", value="15"),
        ]
    )
    contact = reachable_contact()
    enter(journey, [contact])
    journey_advance(journey=journey, now=timezone.now())
    amount, percent = Voucher.objects.filter(member__contact=contact).order_by("pk")
    assert (amount.kind, amount.value, amount.label) == (
        "amount_off",
        Decimal("12.50"),
        "12.50 off",
    )
    assert amount.expires_at == NOON + dt.timedelta(days=10)
    assert (percent.kind, percent.value, percent.label) == ("percent_off", Decimal(15), "15% off")
    assert percent.expires_at == NOON + dt.timedelta(days=90)  # the default


def test_a_retried_voucher_step_issues_one_voucher(at_noon):
    journey = live_journey(steps=[voucher("v", kind="amount_off", value="5")])
    contact = reachable_contact()
    (enrollment,) = enter(journey, [contact])
    # the voucher was issued, then the step's record was lost: the retry finds the same key
    first = voucher_grant(
        member=member_enrol(contact=contact),
        idempotency_key=f"journey:{enrollment.pk}:1",
        kind="amount_off",
        value=5,
    )
    journey_advance(journey=journey, now=timezone.now())
    journey_advance(journey=journey, now=timezone.now() + dt.timedelta(minutes=5))
    assert list(Voucher.objects.filter(member__contact=contact)) == [first]
    assert StepRun.objects.get(enrollment=enrollment).detail["voucher_id"] == first.pk
    assert TimelineEvent.objects.filter(contact=contact, type="loyalty.voucher_issued").count() == 1


def test_a_reward_out_of_stock_skips_the_step_and_the_contact_goes_on(at_noon):
    reward = RewardFactory(name="Last umbrella", stock=1)
    journey = live_journey(steps=[voucher("v", reward=reward.pk), send("s", text="Thanks")])
    contacts = [reachable_contact() for _ in range(2)]
    enter(journey, contacts)
    journey_advance(journey=journey, now=timezone.now())
    assert Voucher.objects.filter(reward=reward).count() == 1
    runs = StepRun.objects.filter(step_type="loyalty.voucher").order_by("pk")
    assert [run.outcome for run in runs] == ["granted", "skipped"]
    assert runs[1].detail["reason"] == "This reward is out of stock."
    assert set(Enrollment.objects.values_list("status", flat=True)) == {"completed"}


def test_the_voucher_shows_on_the_member_card_and_timeline_like_any_voucher(
    at_noon, tenant_client, owner_client
):
    from django.urls import reverse

    from apps.loyalty.services.card import member_card_url
    from tests.loyalty.test_card import path_of

    reward = RewardFactory(name="Birthday coffee")
    journey = live_journey(steps=[voucher("v", reward=reward.pk)])
    contact = reachable_contact(first_name="Ada")
    enter(journey, [contact])
    journey_advance(journey=journey, now=timezone.now())
    issued = Voucher.objects.get(member__contact=contact)
    event = TimelineEvent.objects.get(contact=contact, type="loyalty.voucher_issued")
    assert event.properties["voucher_id"] == issued.pk
    assert event.properties["label"] == "Birthday coffee"
    card = tenant_client.get(path_of(member_card_url(member=issued.member)))
    assert card.status_code == 200
    your_vouchers = card.text.split('id="vouchers-title"', 1)[1].split("</section>", 1)[0]
    assert "Birthday coffee" in your_vouchers and issued.code in your_vouchers
    page = owner_client.get(reverse("loyalty:member_detail", args=[issued.member.pk]))
    assert page.status_code == 200 and issued.code in page.text


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({}, "reward"),
        ({"reward": ""}, "reward"),
        ({"reward": 999_999}, "reward"),
        ({"reward": "many"}, "reward"),
        ({"kind": "gift", "value": "5"}, "kind"),
        ({"kind": "amount_off"}, "value"),
        ({"kind": "amount_off", "value": "lots"}, "value"),
        ({"kind": "percent_off", "value": "150"}, "value"),
        ({"kind": "amount_off", "value": "5", "valid_days": 0}, "valid_days"),
    ],
)
def test_the_voucher_step_is_checked_naming_the_field(tenant, config, field):
    with pytest.raises(ValidationError) as error:
        voucher_clean(config)
    assert field in error.value.message_dict


def test_a_withdrawn_reward_is_refused(tenant):
    reward = RewardFactory(active=False)
    with pytest.raises(ValidationError) as error:
        voucher_clean({"reward": reward.pk})
    assert "reward" in error.value.message_dict
    assert voucher_clean({"reward": str(RewardFactory().pk)})["reward"] > 0


def test_the_builder_offers_the_voucher_step_with_its_fields(owner_client, tenant):
    from django.urls import reverse

    from apps.journeys.models import Journey
    from tests.conftest import alpha

    with alpha():
        reward = RewardFactory(name="Free polish")
        RewardFactory(name="Gone", active=False)
        journey = live_journey(steps=[send("s1")])
    detail = reverse("journeys:journey_detail", args=[journey.pk])
    assert 'value="loyalty.voucher"' in owner_client.get(detail).text
    fields = owner_client.get(
        reverse("journeys:journey_step_fields", args=[journey.pk]),
        {"step-type": "loyalty.voucher"},
        HTTP_HX_REQUEST="true",
    ).text
    for name in ("reward", "voucher_kind", "voucher_value", "valid_days"):
        assert f'name="step-{name}"' in fields, name
    assert "Free polish" in fields and "Gone" not in fields
    save = reverse("journeys:journey_step_save", args=[journey.pk])
    # no reward chosen and no amount: refused, the reward field says why
    refused = owner_client.post(save, {"step-type": "loyalty.voucher"})
    assert refused.status_code == 400
    assert 'id="step-reward-errors"' in refused.text
    assert "Choose a reward, or an amount or percent off." in refused.text
    too_much = owner_client.post(
        save,
        {
            "step-type": "loyalty.voucher",
            "step-voucher_kind": "percent_off",
            "step-voucher_value": "120",
        },
    )
    assert too_much.status_code == 400 and 'id="step-voucher_value-errors"' in too_much.text
    saved = owner_client.post(
        save,
        {
            "step-type": "loyalty.voucher",
            "step-voucher_kind": "amount_off",
            "step-voucher_value": "7.5",
        },
    )
    assert saved.status_code == 302
    assert (
        owner_client.post(
            save, {"step-type": "loyalty.voucher", "step-reward": reward.pk}
        ).status_code
        == 302
    )
    with alpha():
        draft = Journey.objects.get(pk=journey.pk).versions.get(status="draft")
        steps = [s["config"] for s in draft.steps if s["type"] == "loyalty.voucher"]
    assert steps == [
        {"reward": None, "kind": "amount_off", "value": "7.50", "valid_days": 90},
        {"reward": reward.pk},
    ]
    page = owner_client.get(detail).text
    assert "7.50 off" in page and "Free polish" in page


def test_the_voucher_step_speaks_french_and_spanish(tenant):
    from django.utils import translation

    for language, words in (("fr", "Choose a reward"), ("es", "Choose a reward")):
        with translation.override(language):
            with pytest.raises(ValidationError) as error:
                voucher_clean({})
            message = error.value.message_dict["reward"][0]
            assert message and words not in message, language
            from apps.journeys.step_loyalty import VOUCHER

            assert str(VOUCHER.label) != "Grant a loyalty voucher", language
