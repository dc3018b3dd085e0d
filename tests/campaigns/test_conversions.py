"""Conversions (a purchase or a booking within N days of a human click) and replies (an inbound
message within N days of sending), noted by the campaigns timeline subscriber, once per
recipient; the A/B winner by conversions on crafted data."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.campaigns.choices import WinnerMetric
from apps.campaigns.models import Recipient
from apps.campaigns.selectors import ab_results, campaign_report
from apps.campaigns.services import campaign_winner_pick, campaigns_on_events
from apps.contacts.models import TimelineEvent
from apps.contacts.registries import timeline_subscribers
from apps.contacts.services import event_record
from tests.campaigns.factories import BLOCKS, MarketingContactFactory, sent_campaign
from tests.helpers.clock import clock_at, local

pytestmark = pytest.mark.django_db
START = local(dt.date(2030, 3, 4), 10, 0).astimezone(dt.UTC)
VARIANTS = [
    {"subject": "Spring news", "blocks": BLOCKS},
    {"subject": "Our spring offer", "blocks": BLOCKS},
]


def _sent(n=3, **kwargs):
    with clock_at(START):
        return sent_campaign(contacts=MarketingContactFactory.create_batch(n), **kwargs)


def _event(contact, type, at, **properties):
    return event_record(contact=contact, type=type, occurred_at=at, properties=properties)


def test_the_subscriber_is_registered():
    assert "campaigns" in timeline_subscribers


def test_a_purchase_within_the_window_of_a_human_click_converts_once(tenant):
    campaign = _sent(3, conversion_days=7)
    rows = list(Recipient.objects.filter(campaign=campaign).select_related("contact"))
    clicked = START + dt.timedelta(hours=1)
    Recipient.objects.filter(pk__in=[r.pk for r in rows[:2]]).update(clicked_at=clicked)
    buyer, late, no_click = rows[0], rows[1], rows[2]
    events = [
        _event(buyer.contact, "purchase.made", clicked + dt.timedelta(days=2)),
        _event(late.contact, "appointment.booked", clicked + dt.timedelta(days=8)),
        _event(no_click.contact, "purchase.made", clicked + dt.timedelta(days=1)),
        _event(buyer.contact, "appointment.booked", clicked + dt.timedelta(days=3)),
    ]
    campaigns_on_events(events)
    campaigns_on_events(events)  # handed over again: nothing more
    converted = dict(
        Recipient.objects.filter(campaign=campaign).values_list("contact_id", "converted_at")
    )
    assert converted[buyer.contact_id] == clicked + dt.timedelta(days=2)
    assert converted[late.contact_id] is None  # outside the 7 days
    assert converted[no_click.contact_id] is None  # no human click
    recorded = TimelineEvent.objects.filter(type="campaign.converted")
    assert recorded.count() == 1
    event = recorded.get()
    assert event.contact_id == buyer.contact_id
    assert event.properties["campaign_id"] == campaign.pk
    assert event.properties["days"] == 2
    assert campaign_report(campaign=campaign)["total"]["converted"] == 1


def test_a_purchase_before_the_click_does_not_count(tenant):
    campaign = _sent(1)
    row = Recipient.objects.select_related("contact").get(campaign=campaign)
    clicked = START + dt.timedelta(hours=5)
    Recipient.objects.filter(pk=row.pk).update(clicked_at=clicked)
    campaigns_on_events([_event(row.contact, "purchase.made", clicked - dt.timedelta(hours=1))])
    row.refresh_from_db()
    assert row.converted_at is None


def test_a_reply_within_the_window_is_noted_once(tenant):
    campaign = _sent(2, conversion_days=3)
    first, second = Recipient.objects.filter(campaign=campaign).select_related("contact")
    assert first.sent_at is not None
    at = first.sent_at + dt.timedelta(days=1)
    campaigns_on_events([_event(first.contact, "message.received", at)])
    campaigns_on_events(
        [
            _event(first.contact, "message.received", at + dt.timedelta(hours=1)),
            _event(second.contact, "message.received", first.sent_at + dt.timedelta(days=4)),
        ]
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.replied_at == at  # the first reply, kept
    assert second.replied_at is None  # after the window
    assert campaign_report(campaign=campaign)["total"]["replied"] == 1


def test_the_winner_by_conversions_on_crafted_data(tenant):
    people = MarketingContactFactory.create_batch(20)
    with clock_at(START):
        campaign = sent_campaign(
            contacts=people,
            variants=VARIANTS,
            ab_share=50,
            winner_metric=WinnerMetric.CONVERSIONS,
        )
    sent = Recipient.objects.filter(campaign=campaign, status="sent").select_related("contact")
    later = START + dt.timedelta(hours=1)
    # A: more clicks (4 of 5) but one purchase; B: 2 clicks, both bought
    a_rows = list(sent.filter(variant__label="A"))
    b_rows = list(sent.filter(variant__label="B"))
    Recipient.objects.filter(pk__in=[r.pk for r in a_rows[:4] + b_rows[:2]]).update(
        clicked_at=later
    )
    bought = [a_rows[0], b_rows[0], b_rows[1]]
    campaigns_on_events(
        [_event(r.contact, "purchase.made", later + dt.timedelta(days=1)) for r in bought]
    )
    results = ab_results(campaign=campaign)
    assert [(r.variant.label, r.score) for r in results.rows] == [("B", 2), ("A", 1)]
    winner = campaign_winner_pick(campaign=campaign, now=later + dt.timedelta(days=2))
    assert winner is not None and winner.label == "B"
