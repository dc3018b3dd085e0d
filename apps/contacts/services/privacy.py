"""Privacy requests: hand a person everything held about them, or erase them.

Erasing keeps the contact row (with `erased_at`), its transactions and its events, so counts,
revenue and RFM stay right; what could identify the person is removed. Every module with rows
belonging to a contact adds them through `privacy_exporters` and `privacy_erasers`
(apps/contacts/registries.py), registered in its `AppConfig.ready()`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models.functions import Now
from django.utils import timezone

from ..models import (
    Channel,
    ConsentEvent,
    ConsentMethod,
    ConsentStatus,
    Contact,
    RfmScore,
    Segment,
    SegmentMember,
    Task,
    TimelineEvent,
    Transaction,
)
from ..registries import event_types, privacy_erasers, privacy_exporters
from .timeline import event_record

if TYPE_CHECKING:
    from apps.accounts.models import User

ERASED_NAME = "Erased"
PROFILE_FIELDS = (
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "address_line",
    "city",
    "postal_code",
    "country",
    "birthday",
    "language",
    "time_zone",
    "preferred_channel",
    "tags",
    "lifecycle_stage",
    "source",
    "created",
    "updated",
    "erased_at",
)


def _json(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def contact_export_data(contact: Contact) -> dict[str, Any]:
    """Everything held on one contact, as JSON-ready data (the right of access)."""
    profile = {name: _json(getattr(contact, name)) for name in PROFILE_FIELDS}
    profile["owner"] = contact.owner.email if contact.owner else None
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "profile": profile,
        "custom": dict(contact.custom),
        "consent": {
            "current": {channel: contact.consent_for(channel) for channel in Channel.values},
            "history": [
                {
                    "channel": e.channel,
                    "status": e.status,
                    "previous": e.previous_status,
                    "method": e.method,
                    "note": e.note,
                    "occurred_at": e.occurred_at.isoformat(),
                }
                for e in ConsentEvent.objects.filter(contact=contact).order_by("occurred_at", "pk")
            ],
        },
        "timeline": [
            {
                "type": e.type,
                "occurred_at": e.occurred_at.isoformat(),
                "source": e.source,
                "properties": e.properties,
                "client_event_id": e.client_event_id,
            }
            for e in TimelineEvent.objects.filter(contact=contact).order_by("occurred_at", "pk")
        ],
        "tasks": [
            {
                "title": t.title,
                "due_date": _json(t.due_date),
                "done_at": _json(t.done_at),
                "created": t.created.isoformat(),
            }
            for t in Task.objects.filter(contact=contact).order_by("created", "pk")
        ],
        "transactions": [
            {
                "kind": t.kind,
                "amount": str(t.amount),
                "currency": t.currency,
                "occurred_at": t.occurred_at.isoformat(),
                "items": t.items,
                "channel": t.channel,
                "external_ref": t.external_ref,
            }
            for t in Transaction.objects.filter(contact=contact).order_by("occurred_at", "pk")
        ],
        "lists": list(
            Segment.objects.filter(segmentmember__contact=contact)
            .order_by("name")
            .values_list("name", flat=True)
        ),
        "rfm": None,
    }
    score = RfmScore.objects.filter(contact=contact).first()
    if score is not None:
        data["rfm"] = {
            "recency_days": score.recency_days,
            "frequency": score.frequency,
            "monetary": str(score.monetary),
            "r": score.r,
            "f": score.f,
            "m": score.m,
            "segment": score.segment,
            "computed_at": score.computed_at.isoformat(),
        }
    for section, exporter in privacy_exporters.items():
        data[section] = exporter(contact)
    return data


def contact_erase(
    *, contact: Contact, actor: User | None, method: str = ConsentMethod.STAFF
) -> Contact:
    """Remove a person's personal data for good (the right to erasure) and keep the
    aggregates; erasing an erased contact changes nothing."""
    now = timezone.now()
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        if contact.erased_at is not None:
            return contact
        previous = {channel: contact.consent_for(channel) for channel in Channel.values}
        for eraser in privacy_erasers.values():  # first: they may look rows up by address
            eraser(contact)
        for name in (
            "last_name",
            "email",
            "phone",
            "phone_national",
            "address_line",
            "city",
            "postal_code",
            "country",
            "language",
            "time_zone",
            "preferred_channel",
        ):
            setattr(contact, name, "")
        contact.first_name = ERASED_NAME
        contact.birthday, contact.custom, contact.tags = None, {}, []
        for channel in Channel.values:
            setattr(contact, f"{channel}_consent", ConsentStatus.OPTED_OUT)
        contact.erased_at = now
        contact.save()
        _erase_event_properties(contact)
        Task.objects.filter(contact=contact).update(title="", updated=Now())
        ConsentEvent.objects.filter(contact=contact).update(note="")
        ConsentEvent.objects.bulk_create(
            ConsentEvent(
                contact=contact,
                channel=channel,
                status=ConsentStatus.OPTED_OUT,
                previous_status=previous[channel],
                method=method,
                actor=actor,
                note="erased",
                occurred_at=now,
            )
            for channel in Channel.values
        )
        SegmentMember.objects.filter(contact=contact).delete()  # in no audience any more
        event_record(contact=contact, type="contact.erased", source=method, actor=actor)
    return contact


def _erase_event_properties(contact: Contact) -> None:
    """Keep, of each event, only the properties its catalogue entry declares and does not mark
    personal; an undeclared type keeps none. One statement for the whole timeline."""
    kept = {name: spec.kept_on_erasure for name, spec in event_types.items()}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {connection.ops.quote_name(TimelineEvent._meta.db_table)} AS e
               SET properties = COALESCE((
                   SELECT jsonb_object_agg(p.key, p.value)
                     FROM jsonb_each(e.properties) AS p
                    WHERE (%s::jsonb -> e.type) ? p.key
               ), '{{}}'::jsonb)
             WHERE e.contact_id = %s AND e.properties <> '{{}}'::jsonb
            """,
            [json.dumps(kept), contact.pk],
        )
