"""Messaging's share of a contact's merge, privacy export and erasure (registered in
`MessagingConfig.ready()` in the CRM's `merge_hooks`, `privacy_exporters` and
`privacy_erasers`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Now
from django.utils.translation import gettext as _

from ..models import ChannelStats, InboundMessage, Message, MessageStatus, ShortLink

if TYPE_CHECKING:
    from apps.contacts.models import Contact

STATS_COUNTS = ("sent", "delivered", "answered")
NOT_YET_SENT = (MessageStatus.QUEUED, MessageStatus.DEFERRED)


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def messages_merge(*, survivor: Contact, others: Sequence[Contact]) -> None:
    """Move the others' messages, replies and channel counts to the survivor, so the one
    person keeps one history and best-channel choice sees all of it.

    Messages and replies change owner in one UPDATE each (which locks them; `dedupe_key` and
    the provider ids are unique across contacts, so nothing can collide). Channel statistics
    are one row per contact and channel: the rows of all the contacts are locked, the counts
    of each channel are added up on one row that goes to the survivor, the rest are deleted.
    """
    other_ids = [other.pk for other in others]
    with transaction.atomic():
        Message.objects.filter(contact_id__in=other_ids).update(contact=survivor, updated=Now())
        InboundMessage.objects.filter(contact_id__in=other_ids).update(contact=survivor)
        rows = ChannelStats.objects.select_for_update().filter(
            contact_id__in=[survivor.pk, *other_ids]
        )
        by_channel: dict[str, list[ChannelStats]] = defaultdict(list)
        for row in rows.order_by("pk"):
            by_channel[row.channel].append(row)
        for group in by_channel.values():
            kept = next((row for row in group if row.contact_id == survivor.pk), group[0])
            folded = [row for row in group if row is not kept]
            if not folded:
                if kept.contact_id != survivor.pk:
                    ChannelStats.objects.filter(pk=kept.pk).update(contact=survivor)
                continue
            ChannelStats.objects.filter(pk__in=[row.pk for row in folded]).delete()
            ChannelStats.objects.filter(pk=kept.pk).update(
                contact=survivor,
                **{name: sum(getattr(row, name) for row in group) for name in STATS_COUNTS},
            )


def messages_export(contact: Contact) -> dict[str, Any]:
    """Every message sent to the contact (with the text they received), every text they sent
    and their response counts per channel (the right of access)."""
    sent = Message.objects.filter(contact=contact).order_by("created", "pk")
    received = InboundMessage.objects.filter(contact=contact).order_by("received_at", "pk")
    stats = ChannelStats.objects.filter(contact=contact).order_by("channel")
    return {
        "sent": [
            {
                "id": m.pk,
                "channel": m.channel,
                "purpose": m.purpose,
                "category": m.category,
                "status": m.status,
                "to": m.to,
                "language": m.language,
                "subject": m.subject,
                "body": m.body,
                "reason": m.reason,
                "created": _iso(m.created),
                "scheduled_for": _iso(m.scheduled_for),
                "sent_at": _iso(m.sent_at),
                "delivered_at": _iso(m.delivered_at),
                "opened_at": _iso(m.opened_at),
                "clicked_at": _iso(m.clicked_at),
                "replied_at": _iso(m.replied_at),
            }
            for m in sent
        ],
        "received": [
            {
                "id": r.pk,
                "from_number": r.from_number,
                "body": r.body,
                "handled_as": r.handled_as,
                "received_at": _iso(r.received_at),
                "read_at": _iso(r.read_at),
            }
            for r in received
        ],
        "channels": [
            {"channel": s.channel, **{name: getattr(s, name) for name in STATS_COUNTS}}
            for s in stats
        ],
    }


def messages_erase(contact: Contact) -> None:
    """Remove what a person wrote or was sent, and where to, and keep what the business
    counts.

    Runs before the contact's own fields are cleared, so texts from their number that no
    contact was matched to are found too. Cleared on messages: `to`, `subject`, `body` (the
    rendered text), `language` (cleared on the contact too) and `error` (a provider's words,
    which may quote the address). Kept: purpose, category, channel, status, `reason` (the
    system's own words on why a message was not sent, held or rerouted), the timestamps,
    attempts, `dedupe_key` and `related_*` (references that keep a retried send harmless) and
    the provider ids (status webhooks still refer to them). A message still queued or held for
    quiet hours is not sent any more: it has no address left. The addresses behind a text's
    short links are cleared (the links stop working; the clicks stay counted). On replies, `from_number` and
    `body` are cleared; what they were handled as, the provider id and the times are kept.
    Channel statistics are counts only and stay as they are.
    """
    with transaction.atomic():
        messages = Message.objects.filter(contact=contact)
        messages.filter(status__in=NOT_YET_SENT).update(
            status=MessageStatus.SUPPRESSED,
            reason=_("contact erased"),
            scheduled_for=None,
            updated=Now(),
        )
        messages.update(to="", subject="", body="", language="", error="", updated=Now())
        # a text's short links can lead to the customer's own pages (a manage link)
        ShortLink.objects.filter(message__contact=contact).update(url="")
        own = Q(contact=contact)
        if contact.phone:
            own |= Q(contact__isnull=True, from_number=contact.phone)
        InboundMessage.objects.filter(own).update(from_number="", body="")
