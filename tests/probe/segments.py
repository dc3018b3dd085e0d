"""Segment conditions of the probe app, registered by the tests that use them
(`segment_conditions.override(...)`): one with comparisons the builder has no word for, one
that counts timeline events in a subquery."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from apps.contacts.models import TimelineEvent
from apps.contacts.selectors.segment_rules import SegmentCondition


def _domain(node: dict, now: dt.datetime, today: dt.date) -> Q:
    at = Q(email__endswith=f"@{node['value'].lower()}")
    return at if node["cmp"] == "at" else ~at


def _notes(node: dict, now: dt.datetime, today: dt.date) -> Q:
    counted = (
        TimelineEvent.objects.filter(type="note.added")
        .values("contact_id")
        .annotate(n=Count("id"))
        .filter(n__gte=node["value"])
        .values("contact_id")
    )
    return Q(pk__in=counted) if node["cmp"] == "at_least" else ~Q(pk__in=counted)


DOMAIN = SegmentCondition(
    key="probe.domain",
    label="Email domain",
    group="Probe",
    comparisons={"at": "text", "not_at": "text"},
    cmp_labels={"at": "is at", "not_at": "is not at"},
    compile=_domain,
)
NOTES = SegmentCondition(
    key="probe.notes",
    label="Notes written",
    group="Probe",
    comparisons={"at_least": "count", "fewer_than": "count"},
    compile=_notes,
)
