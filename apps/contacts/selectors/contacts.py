"""Finding contacts fast: full-text prefix search on names, btree prefix search on email and
phone digits, filters that each use an index, and keyset-friendly orderings."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.search import SearchQuery
from django.db.models import F, Q, QuerySet
from django.shortcuts import get_object_or_404

from ..models import (
    ACCENTED,
    PLAIN,
    ConsentEvent,
    Contact,
    CustomField,
    Task,
    TimelineEvent,
    Transaction,
)

if TYPE_CHECKING:
    from apps.accounts.models import User

SORTS = {
    "name": ("last_name", "first_name", "id"),
    "-created": ("-created", "-id"),
    "-updated": ("-updated", "-id"),
}
_WORD = re.compile(r"[\w'-]+", re.UNICODE)
_FOLD = str.maketrans(ACCENTED, PLAIN)  # as the search column folds names


def contact_search_filter(query: str) -> Q:
    """Match every typed word as a prefix of a name word, an email prefix or phone digits."""
    query = (query or "").strip()
    if not query:
        return Q()
    condition = Q()
    folded = query.lower().translate(_FOLD)
    words = [w.replace("'", "") for w in _WORD.findall(folded) if w.strip("'-")]
    if words:
        tsquery = " & ".join(f"{word}:*" for word in words)
        condition |= Q(search=SearchQuery(tsquery, search_type="raw", config="simple"))
    if "@" in query or "." in query:
        condition |= Q(email__startswith=query.lower())
    digits = re.sub(r"\D", "", query)
    if len(digits) >= 3 and len(digits) >= len(query.replace(" ", "")) - 3:
        national = digits.lstrip("0") or digits  # "0151 …" as typed locally: drop the trunk 0
        condition |= Q(phone_national__startswith=national) | Q(phone__startswith=f"+{digits}")
    return condition


def contact_list(
    *,
    query: str = "",
    tag: str = "",
    stage: str = "",
    segment=None,
    sort: str = "name",
    include_erased: bool = False,
) -> QuerySet[Contact]:
    """Contacts matching the search and filters, in a stable order, without N+1 (the owner is
    joined; nothing else is read per row)."""
    contacts = Contact.objects.select_related("owner").defer("search", "custom")
    if not include_erased:
        contacts = contacts.filter(erased_at__isnull=True)
    if query:
        contacts = contacts.filter(contact_search_filter(query))
    if tag:
        contacts = contacts.filter(tags__contains=[tag.strip().lower()])
    if stage:
        contacts = contacts.filter(lifecycle_stage=stage)
    if segment is not None:
        from .segments import segment_members

        contacts = contacts.filter(pk__in=segment_members(segment=segment).values("pk"))
    return contacts.order_by(*SORTS.get(sort, SORTS["name"]))


def contacts_live() -> QuerySet[Contact]:
    """The contacts that were not erased: the ones other apps may book, message or offer."""
    return Contact.objects.filter(erased_at__isnull=True)


def contacts_erased_ids() -> QuerySet[Contact, Any]:
    """The ids of erased contacts, for `contact_id__in` in another app's figures: few rows,
    read from a small partial index, where joining every contact to check it would not be."""
    return Contact.objects.filter(erased_at__isnull=False).values("pk")


def contact_find(*, pk: int | str | None = None, phone: str = "") -> Contact | None:
    """A live contact by id (one another app was sent) or by mobile number in E.164 (a text
    that came in), else None."""
    if pk is not None:
        return contacts_live().filter(pk=pk).first()
    if phone:
        return contacts_live().filter(phone=phone).first()
    return None


def custom_field_keys() -> QuerySet[CustomField, str]:
    """The keys of the business's custom fields (what `contact.custom.<key>` may name)."""
    return CustomField.objects.values_list("key", flat=True)


def contact_get(pk: int) -> Contact:
    """A contact of this business or 404 (the schema already scopes it to the business)."""
    return get_object_or_404(Contact.objects.select_related("owner", "rfm").defer("search"), pk=pk)


def timeline_for(
    contact: Contact, *, before: tuple[dt.datetime, int] | None = None, limit: int = 25
) -> list[TimelineEvent]:
    """A page of the contact's history, newest first; pass the last (occurred_at, id) seen to
    get the next page (keyset paging on the timeline index)."""
    events = TimelineEvent.objects.filter(contact=contact).select_related("actor")
    if before is not None:
        at, pk = before
        events = events.filter(Q(occurred_at__lt=at) | Q(occurred_at=at, pk__lt=pk))
    return list(events.order_by("-occurred_at", "-pk")[:limit])


def events_since(*, since: dt.datetime, types: list[str] | None = None) -> QuerySet[TimelineEvent]:
    """The business's events recorded since an instant, oldest first (a webhook replay);
    `types` narrows them to some event types."""
    events = TimelineEvent.objects.filter(created__gte=since)
    if types:
        events = events.filter(type__in=types)
    return events.order_by("created", "pk")


def tasks_open_for(user: User, *, limit: int = 20) -> QuerySet[Task]:
    """The user's open tasks, overdue and soonest first ("my tasks" on the home page)."""
    return (
        Task.objects.filter(assignee=user, done_at__isnull=True)
        .select_related("contact")
        .order_by("due_date", "pk")[:limit]
    )


def consent_latest_by_channel(contact: Contact) -> dict[str, ConsentEvent]:
    """The change that set each channel's current status (one row per channel, DISTINCT ON)."""
    return {
        event.channel: event
        for event in ConsentEvent.objects.filter(contact=contact)
        .select_related("actor")
        .order_by("channel", "-occurred_at", "-pk")
        .distinct("channel")
    }


def consent_history_for(contact: Contact, *, limit: int = 20) -> list[ConsentEvent]:
    """The contact's latest consent changes, newest first."""
    return list(
        ConsentEvent.objects.filter(contact=contact)
        .select_related("actor")
        .order_by("-occurred_at", "-pk")[:limit]
    )


def tasks_open_for_contact(contact: Contact, *, limit: int = 50) -> list[Task]:
    """The contact's open tasks, soonest due first, undated last."""
    return list(
        Task.objects.filter(contact=contact, done_at__isnull=True)
        .select_related("assignee")
        .order_by(F("due_date").asc(nulls_last=True), "pk")[:limit]
    )


def transactions_recent_for(contact: Contact, *, limit: int = 5) -> list[Transaction]:
    """The contact's latest purchases and refunds."""
    return list(Transaction.objects.filter(contact=contact).order_by("-occurred_at", "-pk")[:limit])


def transaction_find(pk: int) -> Transaction | None:
    """One purchase or refund by id (None when gone), with its refunded purchase."""
    return Transaction.objects.select_related("refund_of").filter(pk=pk).first()


def transaction_refunded_total(purchase_id: int):
    """How much of a purchase has been refunded so far (a Decimal, 0 when nothing)."""
    from decimal import Decimal

    from django.db.models import Sum

    total = Transaction.objects.filter(refund_of_id=purchase_id).aggregate(t=Sum("amount"))["t"]
    return total or Decimal("0")


def contact_has_purchase_before(contact_id: int, transaction_id: int) -> bool:
    """Whether the contact bought anything before this purchase."""
    return Transaction.objects.filter(
        contact_id=contact_id, kind="purchase", pk__lt=transaction_id
    ).exists()


def contact_spend_between(contact_id: int, since: dt.datetime, until: dt.datetime):
    """Money the contact spent in (since, until]: purchases less their refunds."""
    from decimal import Decimal

    from django.db.models import Sum

    rows = Transaction.objects.filter(
        contact_id=contact_id, occurred_at__gt=since, occurred_at__lte=until
    )
    bought = rows.filter(kind="purchase").aggregate(t=Sum("amount"))["t"] or Decimal("0")
    refunded = rows.filter(kind="refund").aggregate(t=Sum("amount"))["t"] or Decimal("0")
    return bought - refunded


def contacts_spend_between(
    contact_ids: QuerySet | list[int], since: dt.datetime, until: dt.datetime
) -> dict[int, Decimal]:
    """`contact_spend_between` for many contacts in one grouped query: contact id -> money
    spent in (since, until], purchases less refunds (a contact without any is left out)."""
    from django.db.models import Sum

    rows = (
        Transaction.objects.filter(
            contact_id__in=contact_ids, occurred_at__gt=since, occurred_at__lte=until
        )
        .values("contact_id")
        .annotate(
            bought=Sum("amount", filter=Q(kind="purchase"), default=Decimal("0")),
            refunded=Sum("amount", filter=Q(kind="refund"), default=Decimal("0")),
        )
        .values_list("contact_id", "bought", "refunded")
    )
    return {contact_id: bought - refunded for contact_id, bought, refunded in rows}


def contacts_spend_after(since: dict[int, dt.datetime], until: dt.datetime) -> dict[int, Decimal]:
    """Money each contact spent in (their own `since`, until], purchases less refunds, in one
    query (the instants travel as two arrays): contact id -> amount (a contact without any
    is left out)."""
    from django.db import connection

    if not since:
        return {}
    ids = list(since)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT t.contact_id,
                   sum(CASE WHEN t.kind = 'purchase' THEN t.amount ELSE -t.amount END)
            FROM unnest(%s::bigint[], %s::timestamptz[]) AS s(contact_id, since)
            JOIN {Transaction._meta.db_table} t
              ON t.contact_id = s.contact_id AND t.occurred_at > s.since
             AND t.occurred_at <= %s
            WHERE t.kind IN ('purchase', 'refund')
            GROUP BY t.contact_id
            """,
            [ids, [since[i] for i in ids], until],
        )
        return dict(cursor.fetchall())


def contact_field_known_since(contact_id: int, field: str) -> dt.datetime | None:
    """When the contact's `field` got its current value, from the timeline: its last change
    ("contact.updated" naming it), else when the contact was created (None: unknown)."""
    changed = (
        TimelineEvent.objects.filter(
            contact_id=contact_id, type="contact.updated", properties__fields__contains=[field]
        )
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )
    if changed is not None:
        return changed
    return Contact.objects.filter(pk=contact_id).values_list("created", flat=True).first()


def contact_events_of(
    *, contact_id: int, types: list[str], since: dt.datetime | None = None, limit: int = 50
) -> list[TimelineEvent]:
    """The contact's latest events of these types (newest first), for other apps' rules
    ("did they open it", "was an invoice paid late")."""
    events = TimelineEvent.objects.filter(contact_id=contact_id, type__in=types)
    if since is not None:
        events = events.filter(occurred_at__gte=since)
    return list(events.order_by("-occurred_at", "-pk")[:limit])
