"""Segment and date triggers, and the traps: flapping in and out of a segment under each
re-entry rule, a refresh during a step, a date edited after its step was booked, a
29 February birthday, a date trigger in the contact's own zone."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.contacts.models import TimelineEvent
from apps.contacts.services import (
    contact_update,
    contacts_tag,
    segment_create,
    segment_memberships_refresh,
)
from apps.journeys.models import Enrollment, EnrollmentStatus
from apps.journeys.services import (
    date_trigger_fire,
    journey_activate,
    journey_create,
    journeys_on_events,
)
from apps.messaging.models import Message
from tests.helpers.clock import BERLIN, clock_at

from .factories import live_journey, reachable_contact, send, wait

VIP = {"op": "and", "rules": [{"field": "tags", "cmp": "has", "value": "vip"}]}
NOON = dt.datetime(2027, 5, 4, 12, 0, tzinfo=BERLIN)


def deliver() -> None:
    """Hand the new segment events to the journeys subscriber."""
    journeys_on_events(
        list(TimelineEvent.objects.filter(type__startswith="segment.").order_by("pk"))
    )
    TimelineEvent.objects.filter(type__startswith="segment.").delete()


def flap(contact, times: int) -> None:
    for _ in range(times):
        contacts_tag(contact_ids=[contact.pk], add=["vip"])
        segment_memberships_refresh(contact_ids=[contact.pk])
        deliver()
        contacts_tag(contact_ids=[contact.pk], remove=["vip"])
        segment_memberships_refresh(contact_ids=[contact.pk])
        deliver()


@pytest.fixture
def vip(tenant):
    with clock_at(NOON):
        yield segment_create(name="VIP", rules=VIP)


@pytest.mark.parametrize(
    ("rule", "days", "expected"), [("once", 0, 1), ("again_after", 0, 1), ("again_after", 30, 1)]
)
def test_flapping_in_and_out_of_a_segment_enters_as_the_rule_says(vip, rule, days, expected):
    journey = live_journey(
        steps=[wait("w", 60 * 24 * 3), send("s")],
        trigger={"kind": "segment", "segment_id": vip.pk},
        entry_rule=rule,
        reentry_days=days,
    )
    contact = reachable_contact()
    flap(contact, 3)
    # one at a time: while the first enrollment waits, flapping never adds a second
    assert journey.enrollments.count() == expected
    assert journey.enrollments.filter(status=EnrollmentStatus.ACTIVE).count() == 1


def test_a_segment_entry_triggers_and_the_filters_are_checked_again_before_the_send(vip):
    journey = live_journey(
        steps=[wait("w", 60), send("s")], trigger={"kind": "segment", "segment_id": vip.pk}
    )
    stays, leaves = reachable_contact(), reachable_contact()
    contacts_tag(contact_ids=[stays.pk, leaves.pk], add=["vip"])
    segment_memberships_refresh(contact_ids=[stays.pk, leaves.pk])
    deliver()
    assert journey.enrollments.count() == 2
    from apps.journeys.services import journey_advance

    journey_advance(journey=journey, now=NOON)
    # a refresh while they wait: the one who left is not sent to; nobody's step is duplicated
    contacts_tag(contact_ids=[leaves.pk], remove=["vip"])
    segment_memberships_refresh()
    deliver()
    journey_advance(journey=journey, now=NOON + dt.timedelta(hours=2))
    assert list(Message.objects.values_list("contact_id", flat=True)) == [stays.pk]
    assert Enrollment.objects.get(contact=leaves).exit_reason == "no longer fits"


def test_activation_can_enter_the_current_members(vip):
    members = [reachable_contact(tags=["vip"]) for _ in range(2)]
    journey = journey_create(
        name="VIPs", trigger={"kind": "segment", "segment_id": vip.pk}, steps=[send("s")]
    )
    journey_activate(journey=journey, include_current=True, now=NOON)
    assert sorted(journey.enrollments.values_list("contact_id", flat=True)) == [
        m.pk for m in members
    ]


def birthday_journey(**trigger):
    return live_journey(
        steps=[send("s", text="Happy birthday")],
        trigger={"kind": "date", "field": "birthday", "offset_days": 0, "at": "09:00", **trigger},
    )


def test_a_date_trigger_fires_at_the_time_in_the_contacts_zone(tenant):
    morning_berlin = dt.datetime(2027, 5, 4, 9, 30, tzinfo=BERLIN)  # 03:30 in New York
    with clock_at(morning_berlin):
        journey = birthday_journey()
        berliner = reachable_contact(birthday=dt.date(1990, 5, 4))
        new_yorker = reachable_contact(birthday=dt.date(1990, 5, 4), time_zone="America/New_York")
        assert date_trigger_fire(journey=journey, now=morning_berlin) == 1
        assert list(journey.enrollments.values_list("contact_id", flat=True)) == [berliner.pk]
    later = morning_berlin + dt.timedelta(hours=6)  # 09:30 in New York
    assert date_trigger_fire(journey=journey, now=later) == 1
    assert journey.enrollments.filter(contact=new_yorker).exists()
    assert date_trigger_fire(journey=journey, now=later) == 0  # once per date


def test_a_29_february_birthday_is_kept_on_28_february_in_other_years(tenant):
    at = dt.datetime(2027, 2, 28, 10, 0, tzinfo=BERLIN)
    with clock_at(at):
        journey = birthday_journey()
        leapling = reachable_contact(birthday=dt.date(2000, 2, 29))
        assert date_trigger_fire(journey=journey, now=at) == 1
        assert journey.enrollments.get().contact == leapling
        assert date_trigger_fire(journey=journey, now=at + dt.timedelta(days=1)) == 0


def test_a_date_edited_after_it_was_due_follows_the_new_value(tenant):
    from apps.contacts.services import custom_field_create

    at = dt.datetime(2027, 5, 4, 10, 0, tzinfo=BERLIN)
    with clock_at(at):
        custom_field_create(key="renewal", label="Renewal", type="date")
        journey = live_journey(
            steps=[send("s", text="Renew")],
            trigger={"kind": "date", "field": "custom.renewal", "offset_days": -30, "at": "09:00"},
        )
        contact = reachable_contact(custom={"renewal": "2027-06-03"})
        contact_update(contact=contact, custom={"renewal": "2027-07-03"})  # renewal moved
        assert date_trigger_fire(journey=journey, now=at) == 0
    later = dt.datetime(2027, 6, 3, 10, 0, tzinfo=BERLIN)
    with clock_at(later):
        assert date_trigger_fire(journey=journey, now=later) == 1
