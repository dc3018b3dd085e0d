"""The loyalty step: points granted through loyalty's ledger once per enrollment and step,
however often the step is retried."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.journeys.models import Enrollment, StepRun
from apps.journeys.services import journey_advance
from apps.journeys.step_loyalty import points_clean
from apps.loyalty.models import LedgerEntry
from apps.loyalty.services.ledger import member_enrol, member_for_contact, points_available
from apps.loyalty.services.ledger import points_earn as loyalty_points_earn
from tests.helpers.clock import BERLIN, clock_at, local, today

from .factories import live_journey, reachable_contact, send

NOON = local(today(BERLIN) + dt.timedelta(days=1), 12, 0, BERLIN)


def points(step_id: str, amount: int) -> dict:
    return {"id": step_id, "type": "loyalty.points", "config": {"points": amount}}


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
