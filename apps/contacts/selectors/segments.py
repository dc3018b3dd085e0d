"""Segment reads: who is in a segment (one query for any rule tree or static list), how many,
and a few sample names for the builder. The rule language lives in `segment_rules.py`."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from ..models import Contact, Segment, SegmentKind, SegmentMember
from .segment_rules import field_catalogue, rules_clean, rules_compile

logger = logging.getLogger(__name__)
SAMPLE_SIZE = 5

__all__ = [
    "field_catalogue",
    "rules_clean",
    "rules_compile",
    "segment_count",
    "segment_counts",
    "segment_get",
    "segment_list",
    "segment_members",
    "segment_sample",
    "rules_members",
]


def segment_list() -> QuerySet[Segment]:
    """Every segment, by name (counts are read per segment, lazily, by the list page)."""
    return Segment.objects.select_related("created_by").order_by("name", "pk")


def segment_get(pk: int) -> Segment:
    return get_object_or_404(Segment, pk=pk)


def rules_members(rules: Any, *, custom_fields: list | None = None) -> QuerySet[Contact]:
    """Contacts (not erased) matching an unsaved rule tree; raises ValidationError if bad."""
    condition = rules_compile(rules, custom_fields=custom_fields)
    return Contact.objects.filter(erased_at__isnull=True).filter(condition)


def segment_members(*, segment: Segment) -> QuerySet[Contact]:
    """The segment's contacts as one lazy queryset, for either kind.

    A stored tree that no longer checks out (e.g. a custom field it names was deleted) matches
    nobody rather than failing every page that filters by it; the builder shows the reason.
    """
    if segment.kind == SegmentKind.STATIC:
        listed = SegmentMember.objects.filter(segment_id=segment.pk, contact=OuterRef("pk"))
        return Contact.objects.filter(Exists(listed), erased_at__isnull=True)
    try:
        return rules_members(segment.rules)
    except ValidationError as exc:
        logger.warning("segment %s has invalid rules: %s", segment.pk, exc.messages)
        return Contact.objects.none()


def segment_count(*, segment: Segment | None = None, rules: Any = None) -> int:
    """How many contacts a saved segment or an unsaved tree holds (one COUNT query)."""
    members = segment_members(segment=segment) if segment is not None else rules_members(rules)
    return members.count()


def segment_counts(*, segments: list[Segment]) -> dict[int, int]:
    """How many contacts each segment holds, all in one query (one FILTER per segment), so a
    list of segments costs one round trip however long it is."""
    counts = {segment.pk: 0 for segment in segments}
    filters = {}
    for segment in segments:
        members = segment_members(segment=segment)
        if not members.query.is_empty():  # unusable rules match nobody
            filters[f"s{segment.pk}"] = Count("pk", filter=Q(pk__in=members.values("pk")))
    if filters:
        row = Contact.objects.filter(erased_at__isnull=True).aggregate(**filters)
        counts.update({int(key[1:]): value for key, value in row.items()})
    return counts


def segment_sample(members: QuerySet[Contact], *, limit: int = SAMPLE_SIZE) -> list[Contact]:
    """A few members by name, for the builder's preview (one query)."""
    return list(
        members.only("id", "first_name", "last_name", "email", "phone").order_by(
            "last_name", "first_name", "id"
        )[:limit]
    )
