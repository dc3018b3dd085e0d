"""Consent per channel: the current state on the contact, every change kept as history."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Channel, ConsentEvent, ConsentMethod, ConsentStatus, Contact
from .timeline import contact_ensure_writable, event_record

if TYPE_CHECKING:
    from apps.accounts.models import User


def consent_set(
    *,
    contact: Contact,
    channel: str,
    status: str,
    method: str,
    actor: User | None = None,
    note: str = "",
    occurred_at: dt.datetime | None = None,
) -> ConsentEvent | None:
    """Change a contact's consent on one channel; returns the history entry, or None when the
    status is already the one asked for (nothing changes, nothing is recorded)."""
    errors = {}
    if channel not in Channel.values:
        errors["channel"] = _("Choose email, sms or voice.")
    if status not in ConsentStatus.values:
        errors["status"] = _("Choose opted_in, opted_out or unknown.")
    if method not in ConsentMethod.values:
        errors["method"] = _("Choose form, import, api, reply or staff.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        contact_ensure_writable(contact)
        previous = contact.consent_for(channel)
        if previous == status:
            return None
        setattr(contact, f"{channel}_consent", status)
        contact.save(update_fields=[f"{channel}_consent", "updated"])
        change = ConsentEvent.objects.create(
            contact=contact,
            channel=channel,
            status=status,
            previous_status=previous,
            method=method,
            actor=actor,
            note=note[:200],
            occurred_at=occurred_at or timezone.now(),
        )
        event_record(
            contact=contact,
            type="consent.changed",
            source=method,
            actor=actor,
            properties={
                "channel": channel,
                "status": status,
                "previous": previous,
                "method": method,
            },
        )
    return change


def consent_history_rows(
    events: list[dict],
    consents: list[dict],
    *,
    contact_id: int,
    channel: str,
    status: str,
    previous: str,
    method: str,
    actor_id: int | None,
    occurred_at: dt.datetime,
    recorded_at: dt.datetime,
    note: str = "",
) -> None:
    """The history entry and timeline event `consent_set` writes, as rows for a bulk insert
    (the import of 100,000 contacts writes them with COPY). `occurred_at` is when the
    customer agreed, as proved (a Mailchimp opt-in time); the timeline shows the change when
    it was recorded, as `consent_set` does."""
    consents.append(
        {
            "contact_id": contact_id,
            "channel": channel,
            "status": status,
            "previous_status": previous,
            "method": method,
            "actor_id": actor_id,
            "note": note[:200],
            "occurred_at": occurred_at,
        }
    )
    events.append(
        {
            "source": method,
            "actor_id": actor_id,
            "occurred_at": recorded_at,
            "contact_id": contact_id,
            "type": "consent.changed",
            "properties": {
                "channel": channel,
                "status": status,
                "previous": previous,
                "method": method,
            },
        }
    )
