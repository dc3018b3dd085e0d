"""Loyalty's timeline subscriber (registered in `LoyaltyConfig.ready()` as "loyalty"):
purchases earn, refunds reverse, completed visits earn once, a visit corrected away from
completed gives its points back, and bonus rules fire on the catalogue events they name.
Every effect is keyed (purchase, refund, appointment, rule and event ids), so a batch that
is delivered again changes nothing. A business without a program (no settings saved, no
member enrolled) is left alone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from cxsuite.lib.errors import DomainError

if TYPE_CHECKING:
    from apps.contacts.models import TimelineEvent


def loyalty_on_events(events: list[TimelineEvent]) -> None:
    """Handle a batch of timeline events in order."""
    from apps.contacts.selectors import transaction_find

    from ..models import EarnRule, Program
    from .earning import event_bonus_earn, purchase_earn, visit_earn
    from .refunds import purchase_refund_apply, visit_reverse

    if not Program.objects.filter(pk=1).exists():
        return  # the business has not set up a loyalty program: nothing to earn
    bonus_types = None
    for event in events:
        if event.type.startswith("loyalty."):
            continue
        props = event.properties or {}
        try:
            if event.type == "purchase.made" and props.get("transaction_id"):
                tx = transaction_find(int(props["transaction_id"]))
                if tx is not None and tx.contact.erased_at is None:
                    purchase_earn(tx=tx, event_id=event.pk)
            elif event.type == "purchase.refunded" and props.get("transaction_id"):
                tx = transaction_find(int(props["transaction_id"]))
                if tx is not None:
                    purchase_refund_apply(refund=tx)
            elif event.type == "appointment.completed" and props.get("appointment_id"):
                if event.contact.erased_at is None:
                    visit_earn(
                        contact=event.contact,
                        appointment_id=int(props["appointment_id"]),
                        at=event.occurred_at,
                        event_id=event.pk,
                    )
            elif (
                event.type == "appointment.status_corrected"
                and props.get("previous_status") == "completed"
                and props.get("status") != "completed"
                and props.get("appointment_id")
            ):
                visit_reverse(appointment_id=int(props["appointment_id"]), at=event.occurred_at)
            else:
                if bonus_types is None:
                    bonus_types = set(
                        EarnRule.objects.filter(active=True).values_list("event_type", flat=True)
                    )
                if event.type in bonus_types or event.type.startswith("survey."):
                    event_bonus_earn(
                        contact=event.contact,
                        event_type=event.type,
                        event_id=event.pk,
                        at=event.occurred_at,
                    )
        except (ValidationError, DomainError):
            # a business rule said no (an erased member, nothing to spend): nothing to retry
            continue
