"""The no-show count on the contact: kept by contacts, changed by whoever records visits (the
appointments app when a booking becomes or stops being a no-show)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest

from ..models import Contact


def contact_no_shows_adjust(*, contact_id: int, delta: int) -> int:
    """Add `delta` (+1 for a no-show, -1 when they came after all) to the contact's count in
    one statement, so concurrent changes add up; the count never goes below zero. Returns how
    many contacts changed (0 or 1)."""
    if not delta:
        return 0
    rows = Contact.objects.filter(pk=contact_id)
    if delta < 0:
        rows = rows.filter(no_shows__gt=0)
    return rows.update(no_shows=Greatest(F("no_shows") + delta, 0))


def contacts_no_shows_add(*, counts: Mapping[int, int]) -> int:
    """Add many contacts' no-shows at once (recorded visits loaded in bulk): one statement per
    distinct count. Returns how many contacts changed."""
    by_count: dict[int, list[int]] = defaultdict(list)
    for contact_id, count in counts.items():
        if count > 0:
            by_count[count].append(contact_id)
    changed = 0
    with transaction.atomic():
        for count, ids in sorted(by_count.items()):
            changed += Contact.objects.filter(pk__in=ids).update(no_shows=F("no_shows") + count)
    return changed
