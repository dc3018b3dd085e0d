"""Each variant's sender name in the From of its e-mails, on the business's sending address."""

from __future__ import annotations

import datetime as dt
from email.utils import parseaddr

import pytest

from apps.campaigns.models import Recipient
from apps.messaging.models import Message
from apps.messaging.providers.email import email_sender
from apps.messaging.services.sending import message_deliver
from tests.campaigns.factories import BLOCKS, MarketingContactFactory, sent_campaign
from tests.helpers.clock import clock_at, local

pytestmark = pytest.mark.django_db
START = local(dt.date(2030, 3, 4), 10, 0).astimezone(dt.UTC)


def test_the_a_and_b_variants_arrive_with_their_own_sender_names(tenant, mailoutbox):
    variants = [
        {"subject": "Spring news", "sender_name": "Anna at Alpha", "blocks": BLOCKS},
        {"subject": "Our spring offer", "sender_name": "The Alpha team", "blocks": BLOCKS},
        {"subject": "Spring, plainly", "blocks": BLOCKS},  # no name: the business's own
    ]
    with clock_at(START):
        campaign = sent_campaign(
            contacts=MarketingContactFactory.create_batch(6), variants=variants, ab_share=100
        )
        for message in Message.objects.filter(related_type="campaign", status="queued"):
            message_deliver(message_id=message.pk)
    business_from = email_sender()[0]
    business_name, address = parseaddr(business_from)
    label_of = dict(
        Recipient.objects.filter(campaign=campaign).values_list("address", "variant__label")
    )
    names = {"A": "Anna at Alpha", "B": "The Alpha team", "C": business_name}
    assert len(mailoutbox) == 6
    seen = set()
    for email in mailoutbox:
        name, sent_from = parseaddr(email.message()["From"])
        label = label_of[email.to[0].lower()]
        assert (name, sent_from) == (names[label], address)
        seen.add(label)
    assert seen == {"A", "B", "C"}
