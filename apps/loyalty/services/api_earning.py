"""Earning asked for through the API: points for a purchase already recorded in the CRM
(the same effects as the timeline's earning, keyed by the purchase), for a partner event of
the catalogue (the event is recorded on the timeline and its bonus rules earn, keyed by the
event), or a number of points the partner decides (keyed by the request's
Idempotency-Key). A retried request never counts twice."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import EntrySource, LedgerEntry, Member
from .common import now_or

if TYPE_CHECKING:
    import datetime as dt

    from apps.accounts.models import ApiKey, User


def member_purchase_earn(*, member: Member, transaction_id: int) -> LedgerEntry | None:
    """What the purchase earns the member (None when it earns no points)."""
    from apps.contacts.selectors import transaction_find

    from .earning import purchase_earn

    tx = transaction_find(transaction_id)
    if tx is None or tx.contact_id != member.contact_id:
        raise ValidationError({"transaction": _("This member has no purchase with this id.")})
    if tx.kind != "purchase":
        raise ValidationError({"transaction": _("A refund earns nothing.")})
    return purchase_earn(tx=tx)


def member_event_earn(
    *, member: Member, event_type: str, actor: User | None = None, at: dt.datetime | None = None
) -> int:
    """Record a partner event on the member's timeline and earn its bonus rules now."""
    from apps.contacts.catalogue import partner_event_types
    from apps.contacts.services import event_record

    from .earning import event_bonus_earn

    if event_type not in {t.name for t in partner_event_types()}:
        raise ValidationError({"event_type": _("This is not an event partners may post.")})
    at = now_or(at)
    with transaction.atomic():
        event = event_record(
            contact=member.contact, type=event_type, source="api", actor=actor, occurred_at=at
        )
        return event_bonus_earn(
            contact=member.contact, event_type=event_type, event_id=event.pk, at=at
        )


def member_points_earn(
    *,
    member_id: int,
    points: int,
    idempotency_key: str,
    reason: str = "",
    api_key: ApiKey | None = None,
    staff: User | None = None,
) -> LedgerEntry:
    """Points a partner gives, once per key (an unknown member raises Member.DoesNotExist)."""
    from .points import points_earn

    return points_earn(
        member_id=member_id,
        points=points,
        source=EntrySource.API,
        idempotency_key=idempotency_key,
        api_key=api_key,
        staff=staff,
        reason=reason,
    )
