"""What loyalty tells a member by message, each carrying their card's link: points about to
expire (once per batch of lots, from the nightly run), a tier about to end (once per grace
period, from the nightly run: the date and what keeps it) and a change of tier (an upgrade
at once, a downgrade when the grace period has ended). Through messaging's `message_send`, so
consent, the contact's language and quiet hours apply as to any message."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_CEILING, Decimal

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.tenants.formats import format_date

from ..models import Member, PointLot, Tier
from .card import loyalty_message_context
from .common import business_zone, member_lock, now_or

EXPIRY_PURPOSE = "loyalty_expiry_reminder"
TIER_UP_PURPOSE = "loyalty_tier_up"
TIER_DOWN_PURPOSE = "loyalty_tier_down"
TIER_GRACE_PURPOSE = "loyalty_tier_grace"


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


def tier_grace_warnings_send(*, now: dt.datetime | None = None) -> int:
    """Tell every member whose tier ends with their grace period, ahead and once per grace
    period, the last day they keep it and what keeps it; `tier_warned_until` is set in the
    same transaction as the message, so a re-run or a retried night sends nothing twice.
    Returns how many were told."""
    from ..selectors.members import tier_grace_warnings_due

    now = now_or(now)
    sent = 0
    for member_id, end, short in tier_grace_warnings_due(now=now):
        with transaction.atomic():
            member = member_lock(member_id)
            if member.tier_keep_until != end or member.tier_warned_until == end:
                continue  # moved on, or told by a run at the same time
            Member.objects.filter(pk=member.pk).update(tier_warned_until=end)
            if member.contact.erased_at is not None or not member.active:
                continue
            language = member.contact.language
            _send(
                member,
                TIER_GRACE_PURPOSE,
                {
                    "tier_ends_on": last_day_of(end, language=language),
                    "tier_keep_needed": _what_keeps(short, language=language),
                },
                dedupe_key=f"loyalty:tier-grace:{member.pk}:{end.isoformat()}",
                now=now,
            )
            sent += 1
    return sent


def _what_keeps(short: Decimal, *, language: str) -> str:
    """What the member still has to do, in their language: "earn 120 more points" or
    "spend €40.00 more"."""
    from babel.numbers import format_currency

    from apps.tenants.services import tenant_current

    from ..models import TierBasis
    from .common import program_get

    with translation.override(language or "en"):
        if program_get().tier_basis == TierBasis.SPEND:
            amount = format_currency(
                short,
                tenant_current().currency or "EUR",
                locale=translation.to_locale(translation.get_language() or "en"),
            )
            return _("spend %(amount)s more") % {"amount": amount}
        points = int(short.to_integral_value(rounding=ROUND_CEILING))
        return ngettext("earn %(points)s more point", "earn %(points)s more points", points) % {
            "points": points
        }


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
