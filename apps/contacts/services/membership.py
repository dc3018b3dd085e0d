"""Segment membership kept as rows, for the segments something watches (a journey triggered by
entering or leaving one): `segment_track` starts keeping them, `segment_memberships_refresh`
brings them up to date and records `segment.entered` / `segment.left` for each change.

A refresh costs what changed: given contact ids (the contacts of new timeline events, handed
over by this module's timeline subscriber), it evaluates the rules for those contacts only; the
full refresh of every tracked segment runs through due work every few minutes, for rules that
move with time alone ("no visit for 90 days"). Each refresh is one statement per segment that
inserts the joiners and deletes the leavers (`ON CONFLICT DO NOTHING` / `DELETE … RETURNING`),
so two refreshes racing report each change once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from ..events import timeline_publish
from ..models import Segment, SegmentMembership, TimelineEvent
from ..selectors.segments import segment_members

if TYPE_CHECKING:
    from apps.scheduling.models import DueWork

logger = logging.getLogger(__name__)

MEMBERSHIP_REFRESH = "contacts.segment_membership"
REFRESH_EVERY = dt.timedelta(minutes=5)  # at least every 15 minutes, as promised
SEGMENT_EVENTS = frozenset({"segment.entered", "segment.left"})


def segment_track(*, segment: Segment, tracked: bool = True) -> Segment:
    """Start (or stop) keeping a segment's membership as rows; starting fills them quietly
    (the contacts already inside did not just enter) and books the periodic refresh."""
    from apps.scheduling.services import due_work_register

    with transaction.atomic():
        segment = Segment.objects.select_for_update().get(pk=segment.pk)
        if segment.tracked == tracked:
            return segment
        segment.tracked = tracked
        segment.save(update_fields=["tracked"])
        if tracked:
            _refresh_one(segment, contact_ids=None, now=timezone.now(), quiet=True)
            due_work_register(
                kind=MEMBERSHIP_REFRESH,
                ref="all",
                due_at=timezone.now() + REFRESH_EVERY,
                keep_earlier=True,
            )
        else:
            SegmentMembership.objects.filter(segment=segment).delete()
    return segment


def _refresh_one(
    segment: Segment, *, contact_ids: Sequence[int] | None, now: dt.datetime, quiet: bool = False
) -> tuple[list[int], list[int]]:
    """One statement: insert who matches and has no row, delete who has a row and no longer
    matches; returns (entered, left) contact ids."""
    members = segment_members(segment=segment)
    if contact_ids is not None:
        members = members.filter(pk__in=list(contact_ids))
    match_sql, match_params = members.values("pk").query.sql_with_params()
    table = SegmentMembership._meta.db_table
    only = "AND contact_id = ANY(%s)" if contact_ids is not None else ""
    only_params: list = [list(contact_ids)] if contact_ids is not None else []
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH matching AS ({match_sql}),
            joined AS (
                INSERT INTO {table} (segment_id, contact_id, entered_at)
                SELECT %s, m.pk, %s FROM matching m
                WHERE NOT EXISTS (
                    SELECT 1 FROM {table} s WHERE s.segment_id = %s AND s.contact_id = m.pk
                )
                ON CONFLICT (segment_id, contact_id) DO NOTHING
                RETURNING contact_id
            ),
            gone AS (
                DELETE FROM {table} s
                WHERE s.segment_id = %s {only}
                AND NOT EXISTS (SELECT 1 FROM matching m WHERE m.pk = s.contact_id)
                RETURNING contact_id
            )
            SELECT 1, contact_id FROM joined UNION ALL SELECT 0, contact_id FROM gone
            """,
            [*match_params, segment.pk, now, segment.pk, segment.pk, *only_params],
        )
        rows = cursor.fetchall()
    entered = sorted(pk for flag, pk in rows if flag)
    left = sorted(pk for flag, pk in rows if not flag)
    if not quiet and (entered or left):
        properties = {"segment_id": segment.pk, "segment_name": segment.name}
        events = TimelineEvent.objects.bulk_create(
            [
                TimelineEvent(
                    contact_id=pk,
                    type=type_,
                    properties=properties,
                    source="segments",
                    occurred_at=now,
                )
                for type_, ids in (("segment.entered", entered), ("segment.left", left))
                for pk in ids
            ]
        )
        timeline_publish([event.pk for event in events])
    return entered, left


def segment_memberships_refresh(
    *,
    contact_ids: Iterable[int] | None = None,
    segments: Sequence[Segment] | None = None,
    now: dt.datetime | None = None,
) -> dict[int, tuple[list[int], list[int]]]:
    """Bring the tracked segments' rows up to date, for these contacts only when given;
    returns {segment id: (entered ids, left ids)} for the segments that changed."""
    now = now or timezone.now()
    ids = None if contact_ids is None else sorted(set(contact_ids))
    if ids is not None and not ids:
        return {}
    chosen = list(segments) if segments is not None else list(Segment.objects.filter(tracked=True))
    changes: dict[int, tuple[list[int], list[int]]] = {}
    with transaction.atomic():
        for segment in chosen:
            if not segment.tracked:
                continue
            try:
                entered, left = _refresh_one(segment, contact_ids=ids, now=now)
            except ValidationError:  # a rule that no longer checks out matches nobody
                logger.warning("segment %s not refreshed: invalid rules", segment.pk)
                continue
            if entered or left:
                changes[segment.pk] = (entered, left)
        if ids is None and chosen:
            Segment.objects.filter(pk__in=[s.pk for s in chosen]).update(
                membership_refreshed_at=now
            )
    return changes


def segment_memberships_on_events(events: Sequence[TimelineEvent]) -> None:
    """Timeline subscriber: what happened to a contact can move them in or out of a segment."""
    ids = {event.contact_id for event in events if event.type not in SEGMENT_EVENTS}
    if ids and Segment.objects.filter(tracked=True).exists():
        segment_memberships_refresh(contact_ids=ids)


def segment_memberships_due(work: DueWork) -> None:
    """The periodic full refresh (rules that move with time alone); books the next one while
    any segment is tracked."""
    from apps.scheduling.services import due_work_register

    if not Segment.objects.filter(tracked=True).exists():
        return
    segment_memberships_refresh()
    due_work_register(kind=MEMBERSHIP_REFRESH, ref="all", due_at=timezone.now() + REFRESH_EVERY)
