"""The weekly marketing cap: a contact it holds back waits until it allows them, if that
comes before the send-by deadline; otherwise they are not sent, with the reason "capped"."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.campaigns.choices import CampaignStatus, RecipientStatus, SkipReason
from apps.campaigns.models import Recipient
from apps.campaigns.selectors import cap_held, skip_reasons
from apps.campaigns.services import campaign_batch_send, campaign_schedule, campaign_start
from apps.messaging.models import Message, MessageStatus
from apps.messaging.selectors import marketing_cap_frees_at
from apps.messaging.services.settings import messaging_settings
from tests.campaigns.factories import MarketingContactFactory, campaign_for
from tests.helpers.clock import clock_at, local

pytestmark = pytest.mark.django_db
START = local(dt.date(2030, 3, 4), 10, 0).astimezone(dt.UTC)


def _cap(n: int) -> None:
    settings = messaging_settings()
    settings.marketing_cap_per_week = n
    settings.save()


def _sent_before(contact, days: float) -> None:
    with clock_at(START - dt.timedelta(days=days)):
        Message.objects.create(
            contact=contact,
            purpose="campaign_message",
            category="marketing",
            channel="email",
            to=contact.email,
            status=MessageStatus.SENT,
        )


def _start(campaign, now=START):
    campaign_schedule(campaign=campaign, now=now)
    campaign_start(campaign=campaign, now=now)


def test_the_cap_frees_when_the_cap_th_newest_message_leaves_the_week(tenant):
    _cap(2)
    person, free = MarketingContactFactory.create_batch(2)
    _sent_before(person, 5)  # the older of the two: it leaves the week in 2 days
    _sent_before(person, 1)
    _sent_before(free, 1)
    frees = marketing_cap_frees_at([person.pk, free.pk], now=START)
    assert set(frees) == {person.pk}
    assert abs(frees[person.pk] - (START + dt.timedelta(days=2))) < dt.timedelta(seconds=5)


def test_a_capped_contact_waits_for_the_cap_before_the_deadline_then_gets_it(tenant):
    _cap(1)
    waiting, ok = MarketingContactFactory.create_batch(2)
    _sent_before(waiting, 6)  # the cap allows the next one a day after START
    campaign = campaign_for([waiting, ok], send_by=START + dt.timedelta(days=3))
    _start(campaign)
    assert campaign_batch_send(campaign_id=campaign.pk, now=START) == 2
    row = Recipient.objects.get(campaign=campaign, contact=waiting)
    assert (row.status, row.reason, row.attempt) == (RecipientStatus.PENDING, SkipReason.CAPPED, 1)
    assert dt.timedelta(hours=23) < row.due_at - START <= dt.timedelta(days=1)
    assert "weekly cap" in row.detail
    assert cap_held(campaign=campaign) == 1
    assert skip_reasons(campaign=campaign) == {}  # not counted as "not sent" while it waits
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENDING
    assert campaign_batch_send(campaign_id=campaign.pk, now=START + dt.timedelta(hours=12)) == 0
    later = row.due_at + dt.timedelta(seconds=1)
    assert campaign_batch_send(campaign_id=campaign.pk, now=later) == 1
    row.refresh_from_db()
    assert (row.status, row.reason) == (RecipientStatus.SENT, "")
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DONE
    # one message goes to the contact (queued for delivery); the first try's refusal stays
    ours = Message.objects.filter(
        contact=waiting, dedupe_key__startswith=f"campaign:{campaign.pk}:"
    )
    assert sorted(ours.values_list("status", flat=True)) == ["queued", "suppressed"]


def test_a_cap_that_frees_only_after_the_deadline_drops_the_contact_as_capped(tenant):
    _cap(1)
    person = MarketingContactFactory()
    _sent_before(person, 1)  # frees six days after START
    campaign = campaign_for([person], send_by=START + dt.timedelta(days=2))
    _start(campaign)
    campaign_batch_send(campaign_id=campaign.pk, now=START)
    row = Recipient.objects.get(campaign=campaign, contact=person)
    assert (row.status, row.reason) == (RecipientStatus.SKIPPED, SkipReason.CAPPED)
    assert skip_reasons(campaign=campaign) == {SkipReason.CAPPED: 1}
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DONE


def test_a_cap_of_zero_never_frees_so_the_contact_is_dropped(tenant):
    _cap(0)
    person = MarketingContactFactory()
    campaign = campaign_for([person])
    _start(campaign)
    campaign_batch_send(campaign_id=campaign.pk, now=START)
    row = Recipient.objects.get(campaign=campaign, contact=person)
    assert (row.status, row.reason) == (RecipientStatus.SKIPPED, SkipReason.CAPPED)


def _held_campaign():
    _cap(1)
    waiting, ok = MarketingContactFactory.create_batch(2)
    _sent_before(waiting, 6)
    campaign = campaign_for([waiting, ok], send_by=START + dt.timedelta(days=3))
    _start(campaign)
    campaign_batch_send(campaign_id=campaign.pk, now=START)
    return campaign


def test_the_report_page_shows_those_the_cap_holds_by_name_with_the_rule(
    manager_client, manager, tenant, django_assert_max_num_queries
):
    from django.urls import reverse

    campaign = _held_campaign()
    with django_assert_max_num_queries(40):
        response = manager_client.get(reverse("campaigns:campaign_detail", args=[campaign.pk]))
    body = response.content.decode()
    assert "<tr><td>Held by the weekly cap</td><td>1</td></tr>" in body
    assert "Each waits until the cap lets them have this one" in body
    for language, name in (
        ("fr", "Retenus par la limite hebdomadaire"),
        ("es", "Retenidos por el límite semanal"),
    ):
        manager.language = language
        manager.save(update_fields=["language"])
        page = manager_client.get(reverse("campaigns:campaign_detail", args=[campaign.pk]))
        assert f"<tr><td>{name}</td><td>1</td></tr>" in page.content.decode()


def test_the_api_report_counts_those_the_cap_holds_and_the_outsider_reads_nothing(
    api_client, outsider_api_client, tenant
):
    campaign = _held_campaign()
    url = f"/api/v1/campaigns/{campaign.pk}/report/"
    report = api_client.get(url).json()
    assert report["figures"]["cap_held"] == 1
    assert report["figures"]["sent"] == 1
    assert report["not_sent"] == {}  # waiting, not counted as "not sent"
    assert [row["cap_held"] for row in report["by_variant_and_channel"].values()] == [1]
    assert report["progress"]["waiting"] == 1
    answer = outsider_api_client.get(url)
    assert answer.status_code in (401, 403, 404)
    assert "cap_held" not in answer.content.decode()
