"""The segment condition on campaigns: received, did not receive, opened (people only), clicked."""

from __future__ import annotations

import pytest
from django.utils import timezone

from apps.campaigns.models import Recipient
from apps.contacts.selectors.segments import rules_members
from tests.campaigns.factories import MarketingContactFactory, sent_campaign

pytestmark = pytest.mark.django_db


def _names(cmp: str, campaign_id: int) -> set[str]:
    rules = {
        "op": "and",
        "rules": [{"field": "campaigns.campaign", "cmp": cmp, "value": campaign_id}],
    }
    return set(rules_members(rules).values_list("first_name", flat=True))


def test_received_opened_and_clicked(tenant):
    ada, ben, cleo = (MarketingContactFactory(first_name=n) for n in ("Ada", "Ben", "Cleo"))
    MarketingContactFactory(first_name="Dan")  # not in the audience
    campaign = sent_campaign(contacts=[ada, ben, cleo])
    now = timezone.now()
    Recipient.objects.filter(contact=ada).update(opened_at=now, clicked_at=now)
    Recipient.objects.filter(contact=ben).update(machine_opened_at=now)  # a machine: not opened
    assert _names("received", campaign.pk) == {"Ada", "Ben", "Cleo"}
    assert _names("not_received", campaign.pk) == {"Dan"}
    assert _names("opened", campaign.pk) == {"Ada"}
    assert _names("clicked", campaign.pk) == {"Ada"}
