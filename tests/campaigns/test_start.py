"""Fixing the audience in SQL: the same addresses as `inbox_key`, one row per inbox, the
A/B split, and a statement count that does not grow with the audience."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.campaigns.choices import RecipientStatus
from apps.campaigns.models import Recipient
from apps.campaigns.services import campaign_schedule, campaign_start, inbox_key
from tests.campaigns.factories import MarketingContactFactory, campaign_for
from tests.helpers.clock import local

pytestmark = pytest.mark.django_db
START = local(dt.date(2030, 3, 4), 10, 0).astimezone(dt.UTC)
EMAILS = [
    " Anna.Smith@GMAIL.com ",
    "b.o.b+news@googlemail.com",
    "carl+a+b@Example.TEST",
    "dora@sub.example.test",
    "e.ve@example.test",
    "no-at-sign",
    "",
]


def _start(campaign):
    campaign_schedule(campaign=campaign, now=START)
    return campaign_start(campaign=campaign, now=START)


def test_the_sql_addresses_are_inbox_key(tenant):
    people = [MarketingContactFactory(email=email) for email in EMAILS]
    campaign = _start(campaign_for(people))
    got = dict(Recipient.objects.filter(campaign=campaign).values_list("contact_id", "address"))
    for person in people:
        expected = inbox_key(person.email) or f"none:{person.pk}"
        assert got[person.pk] == expected, person.email
    no_address = Recipient.objects.get(campaign=campaign, contact=people[-1])
    assert (no_address.status, no_address.reason) == (RecipientStatus.SKIPPED, "no_address")


def test_the_ab_split_takes_the_share_and_alternates_variants(tenant):
    people = MarketingContactFactory.create_batch(40)
    campaign = campaign_for(
        people,
        variants=[{"subject": "One"}, {"subject": "Two"}],
        ab_share=50,
    )
    _start(campaign)
    rows = Recipient.objects.filter(campaign=campaign)
    assert rows.filter(status=RecipientStatus.TEST).count() == 20
    assert rows.filter(status=RecipientStatus.HELD, variant__isnull=True).count() == 20
    labels = list(rows.filter(status=RecipientStatus.TEST).values_list("variant__label", flat=True))
    assert sorted(labels) == ["A"] * 10 + ["B"] * 10


def test_fixing_the_audience_takes_the_same_statements_for_10_or_60(tenant):
    def statements(n: int) -> int:
        campaign = campaign_for(MarketingContactFactory.create_batch(n), name=f"n{n}")
        campaign_schedule(campaign=campaign, now=START)
        with CaptureQueriesContext(connection) as queries:
            campaign_start(campaign=campaign, now=START)
        assert Recipient.objects.filter(campaign=campaign).count() == n
        return len(queries)

    assert statements(10) == statements(60)


def test_a_contact_erased_before_its_batch_is_marked_with_the_rest(tenant):
    from apps.campaigns.services import campaign_batch_send
    from apps.contacts.models import Contact

    gone, kept = MarketingContactFactory.create_batch(2)
    campaign = _start(campaign_for([gone, kept]))
    Contact.objects.filter(pk=gone.pk).update(erased_at=START)
    assert campaign_batch_send(campaign_id=campaign.pk, now=START) == 2
    rows = {r.contact_id: r for r in Recipient.objects.filter(campaign=campaign)}
    assert (rows[gone.pk].status, rows[gone.pk].detail) == (
        RecipientStatus.SKIPPED,
        "contact erased",
    )
    assert rows[kept.pk].status == RecipientStatus.SENT and rows[kept.pk].message_id
