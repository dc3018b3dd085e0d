"""What loyalty tells a member by message, each carrying their card's link: points about to
expire (once per batch of lots, from the nightly run) and a change of tier (an upgrade at
once, a downgrade when the grace period has ended). Through messaging's `message_send`, so
consent, the contact's language and quiet hours apply as to any message."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import translation

from apps.tenants.formats import format_date

from ..models import Member, PointLot, Tier
from .card import loyalty_message_context
from .common import business_zone, member_lock, now_or

EXPIRY_PURPOSE = "loyalty_expiry_reminder"
TIER_UP_PURPOSE = "loyalty_tier_up"
TIER_DOWN_PURPOSE = "loyalty_tier_down"


def last_day_of(expires_at: dt.datetime, *, language: str) -> str:
    """The last local day points expiring at `expires_at` (a business midnight) can be used,
    written in the business's formats in the contact's language."""
    day = (expires_at.astimezone(business_zone()) - dt.timedelta(seconds=1)).date()
    with translation.override(language or "en"):
        return format_date(day)


def expiry_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind every member whose points expire within the program's reminder days and were
    not reminded yet: one message per member and batch of lots, the lots marked
    `reminded_at` in the same transaction (a re-run, or a retried night, sends nothing
    twice; the message's dedupe key is the batch's first lot). Returns how many were sent."""
    from ..selectors.members import expiry_reminders_due

    now = now_or(now)
    sent = 0
    for member_id, _points, _first in expiry_reminders_due(now=now):
        with transaction.atomic():
            member = member_lock(member_id)
            lots = list(
                PointLot.objects.select_for_update()
                .filter(
                    member=member,
                    remaining__gt=0,
                    reminded_at__isnull=True,
                    expires_at__gt=now,
                    expires_at__lte=now + _reminder_days(),
                )
                .order_by("expires_at", "pk")
            )
            if not lots:
                continue
            PointLot.objects.filter(pk__in=[lot.pk for lot in lots]).update(reminded_at=now)
            if member.contact.erased_at is not None or not member.active:
                continue
            first = lots[0].expires_at
            assert first is not None  # the filter above took only lots that expire
            _send(
                member,
                EXPIRY_PURPOSE,
                {
                    "expiring_points": sum(lot.remaining for lot in lots),
                    "expiring_on": last_day_of(first, language=member.contact.language),
                },
                dedupe_key=f"loyalty:expiry:{member.pk}:{min(lot.pk for lot in lots)}",
                now=now,
            )
            sent += 1
    return sent


def _reminder_days() -> dt.timedelta:
    from .common import program_get

    return dt.timedelta(days=program_get().expiry_reminder_days)


def tier_change_notify(
    member: Member, *, previous: Tier | None, at: dt.datetime, reason: str
) -> None:
    """Tell the member of their new tier (called in the transaction that moved them)."""
    if reason not in ("upgrade", "downgrade") or member.contact.erased_at is not None:
        return
    purpose = TIER_UP_PURPOSE if reason == "upgrade" else TIER_DOWN_PURPOSE
    _send(
        member,
        purpose,
        {"previous_tier": previous.name if previous else ""},
        dedupe_key=f"loyalty:tier:{member.pk}:{at.isoformat()}",
        now=at,
    )


def _send(member: Member, purpose: str, extra: dict, *, dedupe_key: str, now: dt.datetime):
    from apps.messaging.services.sending import message_send

    context = loyalty_message_context(member)
    context["loyalty"].update(extra)
    return message_send(
        contact=member.contact,
        purpose=purpose,
        context=context,
        dedupe_key=dedupe_key,
        related_type="loyalty_member",
        related_id=str(member.pk),
        now=now,
    )
