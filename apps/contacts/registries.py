"""What other apps plug into the CRM (see cxsuite/lib/registry.py): their share of a contact's
merge, privacy export and erasure, the timeline's event types and subscribers, segment
conditions, the panels of the contact page and what makes a customer active."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from cxsuite.lib.registry import Registry

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from .catalogue import EventType
    from .models import Contact, TimelineEvent
    from .selectors.segment_rules import SegmentCondition
    from .views.panels import ContactPanel

MergeHook = Callable[..., None]  # hook(*, survivor: Contact, others: Sequence[Contact])
PrivacyExporter = Callable[["Contact"], Any]
PrivacyEraser = Callable[["Contact"], None]
TimelineSubscriber = Callable[[Sequence["TimelineEvent"]], None]
# source(since, until) -> rows with `contact_id` and `at` in [since, until) (since None: ever)
ActivitySource = Callable[[dt.datetime | None, dt.datetime], "QuerySet[Any]"]

merge_hooks: Registry[MergeHook] = Registry(
    "contacts.merge_hooks",
    "Keyed by app label. `hook(*, survivor, others)` runs inside the merge transaction with "
    "every contact row locked, before the others are deleted: it locks and moves the module's "
    "rows from the others to the survivor and settles its own unique keys. A row that still "
    "points at one of the others afterwards stops the merge.",
)
privacy_exporters: Registry[PrivacyExporter] = Registry(
    "contacts.privacy_exporters",
    "Keyed by the export's section name (`messages`). `exporter(contact)` returns the "
    "module's rows of the contact as JSON-ready data.",
)
privacy_erasers: Registry[PrivacyEraser] = Registry(
    "contacts.privacy_erasers",
    "Keyed by app label. `eraser(contact)` runs inside the erasure transaction, with the "
    "contact row locked and its fields not yet cleared (so rows can still be found by address), "
    "and removes the personal data in the module's rows (texts, addresses, notes), keeping the "
    "rows and their figures.",
)
event_types: Registry[EventType] = Registry(
    "contacts.event_types",
    "The event catalogue, keyed by event type (`appointment.booked`). An `EventType` declares "
    "the label and sentence the timeline shows, the properties (which ones are personal data, "
    "dropped on erasure) and whether partners may post it through the API. Every type the code "
    "records must be declared here.",
)
timeline_subscribers: Registry[TimelineSubscriber] = Registry(
    "contacts.timeline_subscribers",
    "Keyed by a stable name (its cursor). `subscriber(events)` gets new timeline events in "
    "order, in batches, inside the business's schema, after they commit; its cursor moves only "
    "when it returns, so one that raises gets the same events again on the next run and never "
    "holds the others back.",
)
segment_conditions: Registry[SegmentCondition] = Registry(
    "contacts.segment_conditions",
    "Keyed by the condition's field key (`appointments.no_shows`). A `SegmentCondition` names "
    "its label, group, comparisons and value kinds, and compiles a checked condition to a "
    "`Q` on Contact (a subquery, never a loop); the segment builder and the API offer it.",
)
contact_panels: Registry[ContactPanel] = Registry(
    "contacts.contact_panels",
    "Keyed by panel id. A `ContactPanel` is a card on the contact page loaded by htmx from "
    "its own URL (which takes the contact's id), shown to staff with at least its role.",
)
customer_activity: Registry[ActivitySource] = Registry(
    "contacts.customer_activity",
    'Keyed by app label. `source(since, until)` returns a queryset of `values("contact_id", '
    '"at")`: the moments a contact was a customer of the business in [since, until) '
    "(since None: from the beginning), beside the purchases the CRM records itself (a "
    "completed visit). The analytics of active customers read them inside their own query.",
)
