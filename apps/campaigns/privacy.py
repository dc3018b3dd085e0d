"""Campaigns' share of a contact's merge, privacy export and erasure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction

from .models import Click, Open, Recipient, Suppression, TopicOptOut

if TYPE_CHECKING:
    from apps.contacts.models import Contact


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def recipients_merge(*, survivor: Contact, others: Sequence[Contact]) -> None:
    """Move the others' recipient rows to the survivor. One row per campaign and contact: where
    the survivor already has a row in that campaign, the other's opens and clicks join it and
    the other's row goes (the survivor's row is the one message that campaign sent them)."""
    other_ids = [other.pk for other in others]
    with transaction.atomic():
        rows = list(
            Recipient.objects.select_for_update()
            .filter(contact_id__in=[survivor.pk, *other_ids])
            .order_by("pk")
        )
        kept: dict[int, Recipient] = {r.campaign_id: r for r in rows if r.contact_id == survivor.pk}
        for row in rows:
            if row.contact_id == survivor.pk:
                continue
            existing = kept.get(row.campaign_id)
            if existing is None:
                Recipient.objects.filter(pk=row.pk).update(contact=survivor)
                kept[row.campaign_id] = row
            else:
                Open.objects.filter(recipient=row).update(recipient=existing)
                Click.objects.filter(recipient=row).update(recipient=existing)
                Recipient.objects.filter(pk=row.pk).delete()
        topics = set(
            TopicOptOut.objects.filter(contact=survivor).values_list("topic_id", flat=True)
        )
        for opt_out in TopicOptOut.objects.filter(contact_id__in=other_ids):
            if opt_out.topic_id in topics:
                opt_out.delete()
            else:
                topics.add(opt_out.topic_id)
                TopicOptOut.objects.filter(pk=opt_out.pk).update(contact=survivor)
        Suppression.objects.filter(contact_id__in=other_ids).update(contact=survivor)


def recipients_export(contact: Contact) -> list[dict[str, Any]]:
    """Every campaign the contact was in: what was sent, or why not, and what they did."""
    return [
        {
            "campaign": row.campaign.name,
            "variant": row.variant.label if row.variant_id else "",
            "address": row.address,
            "channel": row.channel,
            "status": row.status,
            "reason": row.reason,
            "sent_at": _iso(row.sent_at),
            "opened_at": _iso(row.opened_at),
            "clicked_at": _iso(row.clicked_at),
            "links": [c.url for c in row.clicks.all()],
        }
        for row in Recipient.objects.filter(contact=contact)
        .select_related("campaign", "variant")
        .prefetch_related("clicks")
        .order_by("pk")
    ]


def recipients_erase(contact: Contact) -> None:
    """Clear the address on the contact's rows and the user agents of their opens and clicks;
    keep the rows, statuses and times, so the campaigns' figures stay true. Suppressions keep
    their address (the block must keep working) but no longer name the contact."""
    with transaction.atomic():
        rows = Recipient.objects.filter(contact=contact)
        for row in rows.only("pk"):
            Recipient.objects.filter(pk=row.pk).update(address=f"erased:{row.pk}", detail="")
        Open.objects.filter(recipient__contact=contact).update(user_agent="")
        Click.objects.filter(recipient__contact=contact).update(user_agent="")
        Suppression.objects.filter(contact=contact).update(contact=None)
