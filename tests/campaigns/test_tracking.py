"""A/B winners, opens and clicks told human or machine, clicks on the right variant."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.campaigns.choices import CampaignStatus, RecipientStatus
from apps.campaigns.models import Click, Open, Recipient
from apps.campaigns.selectors import ab_results, campaign_report, link_clicks
from apps.campaigns.services import (
    campaign_batch_send,
    campaign_schedule,
    campaign_start,
    campaign_winner_pick,
    machine_reason,
)
from apps.contacts.models import TimelineEvent
from apps.messaging.models import Message
from apps.messaging.services.links import open_pixel_url, tracked_url, unsubscribe_url
from tests.campaigns.factories import BLOCKS, MarketingContactFactory, campaign_for
from tests.conftest import host_of
from tests.helpers.clock import clock_at, local

pytestmark = pytest.mark.django_db
START = local(dt.date(2030, 3, 4), 10, 0).astimezone(dt.UTC)
HUMAN = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
VARIANTS = [
    {"subject": "Spring news", "blocks": BLOCKS},
    {"subject": "Our spring offer", "blocks": BLOCKS},
]


def _ab_campaign(n=20, **kwargs):
    people = MarketingContactFactory.create_batch(n)
    campaign = campaign_for(people, variants=VARIANTS, ab_share=50, **kwargs)
    campaign_schedule(campaign=campaign, now=START)
    campaign_start(campaign=campaign, now=START)
    campaign_batch_send(campaign_id=campaign.pk, now=START)
    return campaign


def test_the_test_share_goes_out_split_and_the_rest_waits_for_the_winner(tenant):
    campaign = _ab_campaign(20)
    rows = Recipient.objects.filter(campaign=campaign)
    assert rows.filter(status=RecipientStatus.SENT).count() == 10
    assert rows.filter(status=RecipientStatus.HELD).count() == 10
    by_variant = {label: rows.filter(variant__label=label, status="sent").count() for label in "AB"}
    assert by_variant == {"A": 5, "B": 5}
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENDING  # not done while the rest is held


def test_the_winner_by_human_opens_on_crafted_data_then_the_rest_gets_it(tenant):
    campaign = _ab_campaign(20)
    sent = Recipient.objects.filter(campaign=campaign, status="sent")
    later = START + dt.timedelta(hours=1)
    # B: 3 human opens of 5; A: 1 human open and 4 machine opens (which never count)
    for row in sent.filter(variant__label="B")[:3]:
        Recipient.objects.filter(pk=row.pk).update(opened_at=later)
    a_rows = list(sent.filter(variant__label="A"))
    Recipient.objects.filter(pk=a_rows[0].pk).update(opened_at=later)
    Recipient.objects.filter(pk__in=[r.pk for r in a_rows[1:]]).update(machine_opened_at=later)
    results = ab_results(campaign=campaign)
    assert [r.variant.label for r in results.rows] == ["B", "A"]
    assert results.too_small and not results.tie
    winner = campaign_winner_pick(campaign=campaign, now=later)
    assert winner is not None and winner.label == "B"
    assert campaign_batch_send(campaign_id=campaign.pk, now=later) == 10
    assert Recipient.objects.filter(campaign=campaign, variant__label="B").count() == 15
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DONE


def test_a_tie_goes_to_the_earlier_variant(tenant):
    campaign = _ab_campaign(8)
    results = ab_results(campaign=campaign)
    assert results.tie
    assert results.rows[0].variant.label == "A"


@pytest.mark.parametrize(
    ("agent", "seconds", "machine"),
    [
        (HUMAN, 600, False),
        ("", 600, True),  # no user agent
        ("Mozilla/5.0", 600, True),  # Apple Mail privacy protection's proxy
        ("Mozilla/5.0 (Windows NT 5.1) Firefox/11.0 (via ggpht.com GoogleImageProxy)", 600, True),
        ("Mozilla/5.0 (compatible; Barracuda Sentinel)", 600, True),
        ("python-requests/2.31", 600, True),
        (HUMAN, 3, True),  # a scanner fetching on arrival
    ],
)
def test_machine_opens_by_user_agent_and_timing(agent, seconds, machine):
    at = START + dt.timedelta(seconds=seconds)
    assert bool(machine_reason(user_agent=agent, sent_at=START, at=at)) is machine


def _sent_ab(tenant):
    campaign = _ab_campaign(4)
    rows = {r.variant.label: r for r in Recipient.objects.filter(campaign=campaign, status="sent")}
    return campaign, rows


def test_opens_and_clicks_through_the_links_land_on_the_right_variant(tenant, tenant_client):
    campaign, rows = _sent_ab(tenant)
    b = rows["B"]
    message = Message.objects.get(pk=b.message_id)
    base = f"http://{host_of(tenant)}"
    with clock_at(START):  # links signed when the message went
        pixel = open_pixel_url(message=message, base_url=base).removeprefix(base)
        link = tracked_url(message=message, url="https://example.test/book", base_url=base)
        link = link.removeprefix(base)
    with clock_at(START + dt.timedelta(seconds=2)):  # a scanner at once
        tenant_client.get(pixel, HTTP_USER_AGENT=HUMAN)
    with clock_at(START + dt.timedelta(minutes=30)):
        tenant_client.get(pixel, HTTP_USER_AGENT="Mozilla/5.0")  # Apple's proxy
        response = tenant_client.get(link, HTTP_USER_AGENT=HUMAN)
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.machine_opened_at is not None
    assert b.clicked_at is not None and b.opened_at is not None  # the click proves the open
    assert Open.objects.filter(recipient=b, machine=True).count() == 2
    assert Click.objects.get(recipient=b).url == "https://example.test/book"
    assert rows["A"].clicks.count() == 0
    report = campaign_report(campaign=campaign)
    assert report["B:email"]["clicked"] == 1 and report["A:email"]["clicked"] == 0
    assert link_clicks(campaign=campaign) == [
        {"url": "https://example.test/book", "clicks": 1, "people": 1}
    ]
    assert TimelineEvent.objects.filter(type="campaign.clicked", contact_id=b.contact_id).exists()


def test_the_unsubscribe_link_in_the_body_asks_before_unsubscribing(tenant, tenant_client):
    _campaign, rows = _sent_ab(tenant)
    message = Message.objects.get(pk=rows["A"].message_id)

    with clock_at(START):
        url = unsubscribe_url(message=message, base_url="")
    with clock_at(START + dt.timedelta(minutes=1)):
        response = tenant_client.get(url, HTTP_USER_AGENT="Mozilla/5.0 (compatible; Barracuda)")
        assert response.status_code == 200
        message.contact.refresh_from_db()
        assert message.contact.email_consent == "opted_in"  # a scanner's GET changes nothing
        tenant_client.post(url, {"List-Unsubscribe": "One-Click"})
    message.contact.refresh_from_db()
    assert message.contact.email_consent == "opted_out"  # the header's POST: one click
