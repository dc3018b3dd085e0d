"""Bright Smile Dental's campaigns: a spring newsletter sent three days ago, with opens (people
and machines told apart), clicks, a bounce and an unsubscribe, and an offer scheduled for next
week with a send-by deadline. Topics: newsletter, offers, events."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from apps.contacts.models import Contact
from apps.contacts.services import segment_create, segment_members_add

from .models import Click, Open, Recipient
from .services import (
    campaign_batch_send,
    campaign_create,
    campaign_schedule,
    campaign_start,
    topic_create,
)

NEWSLETTER = [
    {"type": "heading", "text": "Spring at Bright Smile"},
    {
        "type": "text",
        "text": "Longer opening hours on Thursdays, and a new hygienist, Lea, joins the team.",
    },
    {"type": "button", "text": "Book a check-up", "url": "https://bright-smile.example/book"},
    {"type": "divider"},
    {"type": "text", "text": "Tip of the month: change your toothbrush every three months."},
    {"type": "footer"},
]
OFFER = [
    {"type": "heading", "text": "Whitening: 20% off in May"},
    {"type": "text", "text": "Book a whitening session before the end of May and pay 20% less."},
    {"type": "button", "text": "See the offer", "url": "https://bright-smile.example/whitening"},
    {"type": "footer"},
]
LINKS = ["https://bright-smile.example/book", "https://bright-smile.example/tips"]


def demo_seed(*, tenant, rng) -> None:
    newsletter_topic = topic_create(key="newsletter", name="Newsletter")
    offers = topic_create(key="offers", name="Offers")
    topic_create(key="events", name="Events")
    people = list(
        Contact.objects.filter(erased_at__isnull=True).exclude(email="").order_by("pk")[:150]
    )
    audience = segment_create(name="Newsletter readers", kind="static")
    segment_members_add(segment=audience, contact_ids=[c.pk for c in people])

    sent_at = timezone.now() - dt.timedelta(days=3)
    newsletter = campaign_create(
        name="Spring newsletter",
        segments=[audience],
        topic=newsletter_topic,
        variants=[{"subject": "Spring at Bright Smile", "blocks": NEWSLETTER}],
    )
    campaign_schedule(campaign=newsletter, now=sent_at)
    campaign_start(campaign=newsletter, now=sent_at)
    while campaign_batch_send(campaign_id=newsletter.pk, now=sent_at):
        pass
    _reactions(newsletter, sent_at=sent_at, rng=rng)

    offer = campaign_create(
        name="Whitening offer",
        segments=[audience],
        topic=offers,
        throttle_per_minute=300,
        send_by=timezone.now() + dt.timedelta(days=14),
        variants=[
            {"subject": "Whitening: 20% off in May", "blocks": OFFER},
            {"subject": "A brighter smile for less", "blocks": OFFER},
        ],
        ab_share=30,
        winner_wait_hours=4,
    )
    campaign_schedule(campaign=offer, schedule="at", send_at=timezone.now() + dt.timedelta(days=7))


def _reactions(campaign, *, sent_at: dt.datetime, rng) -> None:
    """What readers did: delivered, opened by people or by machines, clicked, one bounce."""
    rows = list(Recipient.objects.filter(campaign=campaign, status="sent").order_by("pk"))
    opens, clicks = [], []
    for index, row in enumerate(rows):
        if index == 0:
            row.bounced_at, row.status, row.reason = (
                sent_at + dt.timedelta(minutes=2),
                "failed",
                "bounced",
            )
            continue
        row.delivered_at = sent_at + dt.timedelta(minutes=1)
        roll = rng.random()
        if roll < 0.15:
            at = sent_at + dt.timedelta(seconds=4)
            row.machine_opened_at = at
            opens.append(
                Open(
                    recipient=row,
                    at=at,
                    user_agent="Mozilla/5.0",
                    machine=True,
                    machine_reason="mail privacy proxy",
                )
            )
        elif roll < 0.6:
            at = sent_at + dt.timedelta(hours=rng.randint(1, 40))
            row.opened_at = at
            opens.append(
                Open(recipient=row, at=at, user_agent="Mozilla/5.0 (iPhone) Mobile Safari")
            )
            if rng.random() < 0.3:
                row.clicked_at = at + dt.timedelta(minutes=1)
                clicks.append(
                    Click(
                        recipient=row,
                        url=rng.choice(LINKS),
                        at=row.clicked_at,
                        user_agent="Mozilla/5.0 (iPhone) Mobile Safari",
                    )
                )
        if index == 5:
            row.unsubscribed_at = sent_at + dt.timedelta(hours=5)
    Recipient.objects.bulk_update(
        rows,
        [
            "delivered_at",
            "bounced_at",
            "status",
            "reason",
            "opened_at",
            "machine_opened_at",
            "clicked_at",
            "unsubscribed_at",
        ],
    )
    Open.objects.bulk_create(opens)
    Click.objects.bulk_create(clicks)
