"""Saved segments: rule trees checked on every save (errors name the rule's path, e.g.
`rules.1.value`), and static lists whose members are added and removed by hand."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from ..models import Contact, Segment, SegmentKind, SegmentMember
from ..selectors.segment_rules import rules_clean, rules_for_storage

if TYPE_CHECKING:
    from apps.accounts.models import User

NAME_MAX = 120
DESCRIPTION_MAX = 300


def _name_clean(name: Any) -> str:
    name = str(name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the segment a name.")})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": _("Use at most 120 characters.")})
    return name


def _fields_clean(*, kind: str, name: Any, description: Any, rules: Any) -> dict:
    """Check name, description and rules together so that one error lists every problem."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if name is not None:
        try:
            cleaned["name"] = _name_clean(name)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if description is not None:
        description = str(description).strip()
        if len(description) > DESCRIPTION_MAX:
            errors["description"] = [_("Use at most 300 characters.")]
        cleaned["description"] = description
    if kind == SegmentKind.DYNAMIC and rules is not None:
        try:
            cleaned["rules"] = rules_for_storage(rules_clean(rules, require_condition=True))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    elif kind == SegmentKind.STATIC and rules not in (None, {}):
        errors["rules"] = [_("A static list has members, not rules.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


def segment_create(
    *,
    name: str,
    kind: str = SegmentKind.DYNAMIC,
    rules: dict | None = None,
    description: str = "",
    actor: User | None = None,
) -> Segment:
    """Save a new segment (a checked rule tree) or an empty static list."""
    if kind not in SegmentKind.values:
        raise ValidationError({"kind": _("Choose dynamic or static.")})
    if kind == SegmentKind.DYNAMIC and rules is None:
        rules = {}
    cleaned = _fields_clean(kind=kind, name=name, description=description, rules=rules)
    with transaction.atomic():
        return Segment.objects.create(kind=kind, created_by=actor, **cleaned)


def segment_update(
    *,
    segment: Segment,
    name: str | None = None,
    description: str | None = None,
    rules: dict | None = None,
) -> Segment:
    """Change the given fields only; the kind of a segment never changes."""
    cleaned = _fields_clean(kind=segment.kind, name=name, description=description, rules=rules)
    with transaction.atomic():
        segment = Segment.objects.select_for_update().get(pk=segment.pk)
        for field, value in cleaned.items():
            setattr(segment, field, value)
        segment.save()
    return segment


def segment_delete(*, segment: Segment) -> None:
    """Delete a segment (a static list's memberships go with it; contacts stay)."""
    with transaction.atomic():
        Segment.objects.filter(pk=segment.pk).delete()


def _ids_clean(contact_ids: Iterable) -> list[int]:
    try:
        ids = sorted({int(pk) for pk in contact_ids})
    except (TypeError, ValueError) as exc:
        raise ValidationError({"contact_ids": _("Send a list of contact ids.")}) from exc
    if len(ids) > 10_000:
        raise ValidationError({"contact_ids": _("Send at most 10,000 contacts at once.")})
    return ids


def _static_only(segment: Segment) -> None:
    if segment.kind != SegmentKind.STATIC:
        raise ValidationError(
            {"segment": _("Members are added to static lists only; this segment has rules.")}
        )


def segment_members_add(*, segment: Segment, contact_ids: Iterable[int]) -> int:
    """Put contacts on a static list; returns how many were not on it yet (ids of unknown
    or erased contacts are ignored, so a stale selection never fails)."""
    _static_only(segment)
    ids = _ids_clean(contact_ids)
    member, contact = SegmentMember._meta.db_table, Contact._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        # one statement; rowcount says how many were new (ON CONFLICT skips the others)
        cursor.execute(
            f"""
            INSERT INTO {member} (segment_id, contact_id, added)
            SELECT %s, id, now() FROM {contact}
            WHERE id = ANY(%s) AND erased_at IS NULL
            ON CONFLICT (segment_id, contact_id) DO NOTHING
            """,
            [segment.pk, ids],
        )
        return cursor.rowcount


def segment_members_remove(*, segment: Segment, contact_ids: Iterable[int]) -> int:
    """Take contacts off a static list; returns how many were on it."""
    _static_only(segment)
    ids = _ids_clean(contact_ids)
    with transaction.atomic():
        removed, _detail = SegmentMember.objects.filter(
            segment=segment, contact_id__in=ids
        ).delete()
    return removed
