"""Likely duplicate contacts, found with GROUP BY in the database (never a loop over every
contact): the same email (case-insensitive), the same phone, or the same normalised full name
(lowercase, accents stripped, whitespace collapsed)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import CharField, Count, F, Func, QuerySet, Value
from django.db.models.functions import Concat, Lower, Trim

from ..models import Contact

GROUPS_MAX = 50


@dataclass
class DuplicateGroup:
    """Contacts that look like one person, and why."""

    ids: tuple[int, ...]
    reasons: list[str] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)

    @property
    def key(self) -> str:
        return "-".join(str(pk) for pk in self.ids)


def _regexp_replace(expression, pattern: str, replacement: str) -> Func:
    return Func(
        expression,
        Value(pattern),
        Value(replacement),
        Value("g"),
        function="REGEXP_REPLACE",
        output_field=CharField(),
    )


def name_normalised():
    """first + last name, lowercased, accents stripped (NFD, then combining marks removed:
    no unaccent extension needed) and whitespace collapsed, as a SQL expression."""
    full = Lower(Concat(F("first_name"), Value(" "), F("last_name"), output_field=CharField()))
    decomposed = Func(full, template="normalize(%(expressions)s, NFD)", output_field=CharField())
    stripped = _regexp_replace(decomposed, "[\u0300-\u036f]", "")
    return Trim(_regexp_replace(stripped, r"\s+", " "))


def _groups(contacts: QuerySet[Contact], key, reason: str, limit: int) -> list[tuple]:
    rows = (
        contacts.annotate(dup_key=key)
        .exclude(dup_key="")
        .values("dup_key")
        .annotate(n=Count("id"), ids=ArrayAgg("id", order_by="id"))
        .filter(n__gt=1)
        .order_by("-n", "dup_key")[:limit]
    )
    return [(tuple(row["ids"]), reason) for row in rows]


def duplicate_groups(*, limit: int = GROUPS_MAX) -> list[DuplicateGroup]:
    """Up to `limit` groups of likely duplicates with their contacts, in 4 queries."""
    live = Contact.objects.filter(erased_at__isnull=True).order_by()
    found = [
        *_groups(live.exclude(email=""), Lower("email"), "email", limit),
        *_groups(live.exclude(phone=""), F("phone"), "phone", limit),
        *_groups(live, name_normalised(), "name", limit),
    ]
    groups: dict[tuple[int, ...], DuplicateGroup] = {}
    for ids, reason in found:
        group = groups.setdefault(ids, DuplicateGroup(ids=ids))
        group.reasons.append(reason)
    chosen = list(groups.values())[:limit]
    wanted = {pk for group in chosen for pk in group.ids}
    by_pk = {c.pk: c for c in Contact.objects.filter(pk__in=wanted).defer("search", "custom")}
    for group in chosen:
        group.contacts = [by_pk[pk] for pk in group.ids if pk in by_pk]
    return [group for group in chosen if len(group.contacts) > 1]
