"""The demo business's campaigns: a sent newsletter with a report, a scheduled offer."""

import random

import pytest

from apps.campaigns.demo import demo_seed
from apps.campaigns.models import Campaign
from apps.campaigns.selectors import campaign_report
from apps.contacts.models import Contact

pytestmark = pytest.mark.usefixtures("tenant")


def test_a_sent_newsletter_with_its_report_and_a_scheduled_offer():
    Contact.objects.bulk_create(
        [
            Contact(
                first_name=f"Pat{n}",
                last_name="Demo",
                email=f"pat{n}@example.test",
                email_consent="opted_in" if n % 4 else "unknown",
            )
            for n in range(200)
        ]
    )
    demo_seed(tenant=None, rng=random.Random(2026))
    newsletter = Campaign.objects.get(name="Spring newsletter")
    assert newsletter.status == "done"
    total = campaign_report(campaign=newsletter)["total"]
    assert total["sent"] > 50 and total["opened"] > 0 and total["clicked"] > 0
    assert total["machine_opened"] > 0 and total["bounced"] == 1
    offer = Campaign.objects.get(name="Whitening offer")
    assert offer.status == "scheduled" and offer.variants.count() == 2
