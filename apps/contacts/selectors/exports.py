"""CSV export of contacts: the columns (every field, then custom fields by key, named so the
file imports back as it is) and the rows, read in chunks without loading them all."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from ..models import Contact, CustomField, Segment
from .contacts import contact_list

EXPORT_FIELDS = (
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
    "owner",
    "lifecycle_stage",
    "source",
    "email_consent",
    "sms_consent",
    "voice_consent",
    "created",
    "updated",
)
CHUNK = 2000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_LIKE = set("0123456789 +-().")


def contacts_for_export(
    *, query: str = "", tag: str = "", stage: str = "", segment: str = "", ids: str = ""
) -> QuerySet[Contact]:
    """The contacts of the list filter (the same GET parameters), of a segment, or of
    `ids=1,2,3`, with the custom values the list itself does not read."""
    if ids:
        pks = [int(pk) for pk in ids.split(",") if pk.strip().isdigit()]
        contacts = contact_list().filter(pk__in=pks)
    else:
        found = Segment.objects.filter(pk=segment).first() if str(segment).isdigit() else None
        contacts = contact_list(query=query, tag=tag, stage=stage, segment=found)
    return contacts.defer(None).defer("search")


def _safe(value: str) -> str:
    """Stop a spreadsheet from running a cell as a formula (phone numbers stay as they are)."""
    if value and value[0] in _FORMULA_START and not set(value) <= _NUMBER_LIKE:
        return "'" + value
    return value


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return _safe(str(value))


class _Echo:
    def write(self, value: str) -> str:
        return value


def contacts_csv(contacts: QuerySet[Contact]) -> Iterator[str]:
    """The CSV text, a few hundred rows at a time (UTF-8 BOM first, so spreadsheets read the
    accents right)."""
    keys = list(CustomField.objects.order_by("key").values_list("key", flat=True))
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([*EXPORT_FIELDS, *(f"custom.{key}" for key in keys)])
    buffer: list[str] = []
    for contact in contacts.iterator(chunk_size=CHUNK):
        buffer.append(writer.writerow(_row(contact, keys)))
        if len(buffer) >= 500:
            yield "".join(buffer)
            buffer = []
    if buffer:
        yield "".join(buffer)


def _row(contact: Contact, keys: Iterable[str]) -> list[str]:
    cells = []
    for name in EXPORT_FIELDS:
        if name == "owner":
            cells.append(contact.owner.email if contact.owner else "")
        else:
            cells.append(_cell(getattr(contact, name)))
    custom = contact.custom or {}
    cells += [_cell(custom.get(key)) for key in keys]
    return cells
