"""Recipient rows in a merge, an export and an erasure."""

from __future__ import annotations

import pytest

from apps.campaigns.models import Click, Recipient, Suppression
from apps.campaigns.privacy import recipients_erase, recipients_export, recipients_merge
from apps.campaigns.services import address_digest, suppression_record
from tests.campaigns.factories import MarketingContactFactory, sent_campaign

pytestmark = pytest.mark.django_db


def test_a_merge_keeps_one_row_per_campaign_and_moves_the_clicks(tenant):
    anna, twin = MarketingContactFactory(), MarketingContactFactory()
    both = sent_campaign(contacts=[anna, twin])
    only_twin = sent_campaign(contacts=[twin], name="Only the twin")
    twin_row = Recipient.objects.get(campaign=both, contact=twin)
    Click.objects.create(recipient=twin_row, url="https://example.test/", at=twin_row.sent_at)
    recipients_merge(survivor=anna, others=[twin])
    assert Recipient.objects.filter(campaign=both).count() == 1
    kept = Recipient.objects.get(campaign=both)
    assert kept.contact_id == anna.pk and kept.clicks.count() == 1
    assert Recipient.objects.get(campaign=only_twin).contact_id == anna.pk


def test_export_and_erasure(tenant):
    person = MarketingContactFactory(email="zed@example.test")
    campaign = sent_campaign(contacts=[person])
    suppression_record(address=person.email, complaint=True, contact=person)
    assert recipients_export(person)[0]["campaign"] == campaign.name
    recipients_erase(person)
    row = Recipient.objects.get(campaign=campaign)
    assert "zed" not in row.address and row.status == "sent"  # figures kept
    suppressed = Suppression.objects.get(address=address_digest("zed@example.test"))
    assert suppressed.contact_id is None and suppressed.reason == "complaint"  # still blocked
