"""The relationship history: events from every module and the API, notes, calls and tasks."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from ..catalogue import event_type_check
from ..events import timeline_publish
from ..models import Contact, Task, TimelineEvent
from ..registries import event_types

if TYPE_CHECKING:
    from apps.accounts.models import User

INGEST_MAX = 1000


def contact_ensure_writable(contact: Contact) -> None:
    """An erased contact keeps its aggregates but takes no new personal data."""
    if contact.erased_at is not None:
        raise ValidationError(_("This contact was erased; nothing more can be recorded on it."))


TYPE_MAX = 64


def _type_validate(type_: str) -> str:
    type_ = (type_ or "").strip()
    if not type_ or len(type_) > TYPE_MAX or " " in type_:
        raise ValidationError(
            {"type": _("Use a short event type without spaces, e.g. page.viewed.")}
        )
    return type_


def event_record(
    *,
    contact: Contact,
    type: str,
    properties: dict[str, Any] | None = None,
    source: str = "system",
    actor: User | None = None,
    occurred_at: dt.datetime | None = None,
) -> TimelineEvent:
    """Record one event on a contact's timeline; subscribers get it after commit."""
    event_type_check(type)
    event = TimelineEvent.objects.create(
        contact=contact,
        type=_type_validate(type),
        properties=properties or {},
        source=source,
        actor=actor,
        occurred_at=occurred_at or timezone.now(),
    )
    timeline_publish([event.pk])
    return event


_RECORD_MANY_SQL = """
INSERT INTO contacts_timelineevent (
    contact_id, type, occurred_at, properties, source, client_event_id, created
)
SELECT d.contact_id, %(type)s, %(at)s, d.properties, %(source)s, d.client_id, %(now)s
FROM unnest(%(contacts)s::bigint[], %(properties)s::jsonb[], %(clients)s::text[])
     WITH ORDINALITY AS d(contact_id, properties, client_id, n)
JOIN contacts_contact AS c ON c.id = d.contact_id AND c.erased_at IS NULL
ORDER BY d.n
ON CONFLICT (client_event_id) WHERE client_event_id <> '' DO NOTHING
RETURNING id
"""


def events_record_many(
    *,
    type: str,
    events: Sequence[tuple[int, dict[str, Any], str]],
    source: str = "system",
    occurred_at: dt.datetime | None = None,
) -> list[int]:
    """Record many events of one catalogue type in one INSERT ... SELECT (a module's bulk
    work: the nightly loyalty run records 100,000 at once).

    Each item is (contact id, properties, client event id or ""). The events are stored in
    the order given, in the current transaction (so they carry its id, and subscribers get
    them after commit, in that order, like any other); an erased contact gets none, and a
    client id already stored is skipped, so a repeat adds nothing. Returns the new ids.
    """
    event_type_check(type)
    type = _type_validate(type)
    if not events:
        return []
    params: dict[str, Any] = {
        "type": type,
        "source": source[:32],
        "at": occurred_at or timezone.now(),
        "now": timezone.now(),
        "contacts": [contact_id for contact_id, _props, _client in events],
        "properties": [
            json.dumps(props or {}, cls=DjangoJSONEncoder) for _contact, props, _client in events
        ],
        "clients": [(client or "")[:100] for _contact, _props, client in events],
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_RECORD_MANY_SQL, params)
        ids = [row[0] for row in cursor.fetchall()]
        timeline_publish(ids)
    return ids


def note_add(*, contact: Contact, text: str, actor: User | None) -> TimelineEvent:
    """A staff note on the contact's timeline."""
    contact_ensure_writable(contact)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the note first.")})
    return event_record(
        contact=contact,
        type="note.added",
        properties={"text": text[:5000]},
        source="staff",
        actor=actor,
    )


def call_log_add(
    *, contact: Contact, summary: str, direction: str, actor: User | None
) -> TimelineEvent:
    """A phone call with the contact, as the staff member tells it."""
    contact_ensure_writable(contact)
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": _("Say what the call was about.")})
    if direction not in ("inbound", "outbound"):
        raise ValidationError({"direction": _("Choose inbound or outbound.")})
    return event_record(
        contact=contact,
        type="call.logged",
        source="staff",
        actor=actor,
        properties={"summary": summary[:5000], "direction": direction},
    )


def task_create(
    *,
    contact: Contact,
    title: str,
    due_date: dt.date | None,
    assignee: User | None,
    created_by: User | None,
) -> Task:
    """A follow-up about the contact for a team member (shown in their "my tasks")."""
    contact_ensure_writable(contact)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Say what needs doing.")})
    with transaction.atomic():
        task = Task.objects.create(
            contact=contact,
            title=title[:200],
            due_date=due_date,
            assignee=assignee,
            created_by=created_by,
        )
        event_record(
            contact=contact,
            type="task.created",
            source="staff",
            actor=created_by,
            properties={
                "task_id": task.pk,
                "title": task.title,
                "due_date": due_date.isoformat() if due_date else None,
            },
        )
    return task


def task_complete(*, task: Task, actor: User | None) -> Task:
    """Mark a task done (once)."""
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        if task.done_at is None:
            task.done_at = timezone.now()
            task.save(update_fields=["done_at"])
            event_record(
                contact=task.contact,
                type="task.completed",
                source="staff",
                actor=actor,
                properties={"task_id": task.pk, "title": task.title},
            )
    return task


def _type_refusal(partner: bool) -> str:
    allowed = sorted(name for name, spec in event_types.items() if spec.partner or not partner)
    return _("Use an event type of the catalogue: %(types)s.") % {"types": ", ".join(allowed)}


def _contact_id(item: dict[str, Any]) -> int | None:
    """The item's `contact_id` if it is a whole number (JSON true and 1.0 equal 1 in Python)."""
    value = item.get("contact_id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def events_ingest(
    *, events: list[dict[str, Any]], source: str = "api", partner: bool = False
) -> dict[str, Any]:
    """Take a batch of events (at most 1,000), from a partner or from a module's bulk work.

    Each item names its contact (`contact_id` or `email`), a `type` declared in the event
    catalogue (for a partner, one the catalogue lets partners post), optional `occurred_at`,
    `properties` and `client_event_id`. Items with a client id already stored are counted as
    duplicates, so a re-sent batch changes nothing. Bad items are reported by index; the good
    ones are stored.
    """
    if not isinstance(events, list) or not events:
        raise ValidationError({"events": _("Send a list of 1 to 1,000 events.")})
    if len(events) > INGEST_MAX:
        raise ValidationError({"events": _("Send at most 1,000 events per batch.")})
    ids = {_contact_id(item) for item in events if isinstance(item, dict)} - {None}
    emails = {
        str(item["email"]).strip().lower()
        for item in events
        if isinstance(item, dict) and item.get("email")
    }
    live = Contact.objects.filter(erased_at__isnull=True)  # an erased person takes no new data
    by_id = {c.pk: c for c in live.filter(pk__in=ids)}
    by_email = {c.email: c for c in live.filter(email__in=emails)}
    rows, errors, seen, repeated = [], [], set(), 0
    for index, item in enumerate(events):
        if not isinstance(item, dict):
            errors.append({"index": index, "errors": {"event": [_("Send an object.")]}})
            continue
        problems: dict[str, list[str]] = {}
        contact_id = _contact_id(item)
        contact = (by_id.get(contact_id) if contact_id is not None else None) or by_email.get(
            str(item.get("email") or "").strip().lower()
        )
        if contact is None:
            problems["contact_id"] = [_("No contact with this id or email.")]
        try:
            type_ = _type_validate(str(item.get("type") or ""))
        except ValidationError as exc:
            problems.update(exc.message_dict)
        else:
            spec = event_types.get(type_)
            if spec is None or (partner and not spec.partner):
                problems["type"] = [_type_refusal(partner)]
        occurred_at = timezone.now()
        if item.get("occurred_at"):
            parsed = parse_datetime(str(item["occurred_at"]))
            if parsed is None or timezone.is_naive(parsed):
                problems["occurred_at"] = [_("Use an ISO 8601 time with its offset.")]
            else:
                occurred_at = parsed
        properties = item.get("properties") or {}
        if not isinstance(properties, dict):
            problems["properties"] = [_("Send properties as an object.")]
        client_id = str(item.get("client_event_id") or "")[:100]
        if problems:
            errors.append({"index": index, "errors": problems})
            continue
        if client_id and client_id in seen:
            repeated += 1  # the same id twice in one batch counts once
            continue
        seen.add(client_id)
        rows.append(
            TimelineEvent(
                contact=contact,
                type=type_,
                occurred_at=occurred_at,
                properties=properties,
                source=source,
                client_event_id=client_id,
            )
        )
    with transaction.atomic():
        client_ids = [row.client_event_id for row in rows if row.client_event_id]
        existing = set(
            TimelineEvent.objects.filter(client_event_id__in=client_ids).values_list(
                "client_event_id", flat=True
            )
        )
        fresh = [r for r in rows if not r.client_event_id or r.client_event_id not in existing]
        created = _insert_skipping_duplicates(fresh)
        timeline_publish([row.pk for row in created])
    return {
        "received": len(events),
        "created": len(created),
        "duplicates": len(rows) - len(created) + repeated,
        "errors": errors,
    }


def _insert_skipping_duplicates(rows: list[TimelineEvent]) -> list[TimelineEvent]:
    """Insert in one statement; if a concurrent batch stored one of the client ids first,
    fall back to row by row so that exactly the new ones are stored and returned."""
    try:
        with transaction.atomic():
            return TimelineEvent.objects.bulk_create(rows)
    except IntegrityError:
        stored = []
        for row in rows:
            row.pk = None
            try:
                with transaction.atomic():
                    row.save()
                stored.append(row)
            except IntegrityError:
                continue
        return stored
