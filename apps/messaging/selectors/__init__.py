"""Reads of the message log and the replies inbox: filtered, newest first, contact joined; and
what other apps may ask of the log inside their own queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Exists, Expression, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from apps.contacts.choices import Channel
from apps.contacts.selectors import custom_field_keys

from ..models import InboundMessage, Message, Template
from ..registries import purposes

if TYPE_CHECKING:
    from apps.contacts.models import Contact


def message_list(
    *, channel: str = "", status: str = "", contact: Contact | int | None = None, query: str = ""
) -> QuerySet[Message]:
    """Messages matching the filters, newest first, with the contact joined (no N+1)."""
    messages = Message.objects.select_related("contact").order_by("-created", "-pk")
    if channel:
        messages = messages.filter(channel=channel)
    if status:
        messages = messages.filter(status=status)
    if contact is not None:
        messages = messages.filter(contact=contact)
    query = (query or "").strip()
    if query:
        messages = messages.filter(
            Q(to__icontains=query) | Q(subject__icontains=query) | Q(purpose__icontains=query)
        )
    return messages


def message_get(pk: int) -> Message:
    """One message with its contact, or 404."""
    return get_object_or_404(Message.objects.select_related("contact"), pk=pk)


def inbound_list(unread_only: bool = False) -> QuerySet[InboundMessage]:
    """Replies customers sent, newest first, with the contact joined."""
    replies = InboundMessage.objects.select_related("contact").order_by("-received_at", "-pk")
    if unread_only:
        replies = replies.filter(read_at__isnull=True)
    return replies


def message_with_dedupe_key_exists(*, dedupe_key: str | Expression) -> Exists:
    """Whether a message with this dedupe key was written (sent, held or refused), as an
    EXISTS that another app's query can filter on; `dedupe_key` may be an expression of that
    query's row (e.g. built from OuterRef("pk")), so "not told yet" stays one query."""
    # the "not empty" condition is the unique index's own, so PostgreSQL can use that index
    return Exists(Message.objects.filter(~Q(dedupe_key=""), dedupe_key=dedupe_key))


@dataclass(frozen=True)
class ThreadEntry:
    """One bubble of a conversation: a message the business sent (`message`) or one the
    customer sent (`inbound`), at `at`."""

    at: dt.datetime
    message: Message | None = None
    inbound: InboundMessage | None = None

    @property
    def outgoing(self) -> bool:
        return self.message is not None


@dataclass(frozen=True)
class Thread:
    entries: list[ThreadEntry]  # oldest first, newest last (like a phone)
    earlier: bool  # whether older messages were left out
    last_inbound_at: dt.datetime | None


THREAD_LIMIT = 100


def conversation_thread(*, contact: Contact, limit: int = THREAD_LIMIT) -> Thread:
    """The last `limit` messages to and from a contact in order, in two queries whatever
    their number (the writer of staff messages joined)."""
    sent = list(
        Message.objects.filter(contact=contact)
        .select_related("sent_by")
        .order_by("-created", "-pk")[: limit + 1]
    )
    received = list(
        InboundMessage.objects.filter(contact=contact).order_by("-received_at", "-pk")[: limit + 1]
    )
    entries = [ThreadEntry(at=m.created, message=m) for m in sent] + [
        ThreadEntry(at=r.received_at, inbound=r) for r in received
    ]
    entries.sort(key=lambda e: (e.at, 0 if e.inbound is not None else 1), reverse=True)
    return Thread(
        entries=entries[:limit][::-1],
        earlier=len(entries) > limit,
        last_inbound_at=received[0].received_at if received else None,
    )


# --- templates --------------------------------------------------------------------------------
@dataclass(frozen=True)
class TemplateWording:
    """What a purpose says on a channel in one language: the business's own wording, or the
    shipped default where it has none; `variables` are the names it may use."""

    purpose: str
    purpose_label: str
    channel: str
    language: str
    subject: str
    body: str
    own: bool
    updated: dt.datetime | None
    variables: list[str]

    @property
    def sort_key(self) -> str:
        """Orders like (purpose, channel, language): a space sorts before any slug character."""
        return f"{self.purpose} {self.channel} {self.language}"


def template_wordings(
    *, purpose: str = "", channel: str = "", language: str = ""
) -> list[TemplateWording]:
    """Every wording that exists (shipped or the business's own) for the purposes, channels
    and languages asked (all when blank), in (purpose, channel, language) order; two queries."""
    stored = Template.objects.only("purpose", "channel", "language", "subject", "body", "updated")
    if purpose:
        stored = stored.filter(purpose=purpose)
    if channel:
        stored = stored.filter(channel=channel)
    if language:
        stored = stored.filter(language=language)
    own = {(t.purpose, t.channel, t.language): t for t in stored}
    custom = {f"contact.custom.{key}" for key in custom_field_keys()}
    languages = {code for code, _name in settings.LANGUAGES}
    rows = []
    for spec in purposes.values():
        if purpose and spec.key != purpose:
            continue
        variables = sorted(spec.variables | custom)
        keys = {(spec.key, c, lang) for c, lang in spec.defaults} | {
            key for key in own if key[0] == spec.key
        }
        for key in keys:
            _p, c, lang = key
            if (channel and c != channel) or (language and lang != language):
                continue
            if lang not in languages or c not in Channel.values:
                continue
            template = own.get(key)
            if template is not None:
                subject, body = template.subject, template.body
            else:
                subject, body = spec.defaults[(c, lang)]
            rows.append(
                TemplateWording(
                    purpose=spec.key,
                    purpose_label=str(spec.label),
                    channel=c,
                    language=lang,
                    subject=subject,
                    body=body,
                    own=template is not None,
                    updated=template.updated if template is not None else None,
                    variables=variables,
                )
            )
    return sorted(rows, key=lambda row: row.sort_key)


def template_wording_get(*, purpose: str, channel: str, language: str) -> TemplateWording:
    """The wording of one purpose, channel and language, or 404 (an unknown purpose, channel
    or language, or one with no wording at all)."""
    if purpose not in purposes or channel not in Channel.values:
        raise Http404
    rows = template_wordings(purpose=purpose, channel=channel, language=language)
    if not rows:
        raise Http404
    return rows[0]


def message_by_dedupe_key(*, dedupe_key: str) -> Message | None:
    """The message sent under a key (what became of a confirmation, for the page that says
    so), or None when none was written."""
    if not dedupe_key:
        return None
    return Message.objects.filter(dedupe_key=dedupe_key).first()


SENT_STATUSES = frozenset(
    {"queued", "sending", "sent", "delivered", "opened", "clicked", "replied"}
)


def address_masked(address: str, channel: str) -> str:
    """Enough of an address for its owner to recognise it and nobody else to learn it:
    "m…@example.com", "…0134"."""
    address = (address or "").strip()
    if channel == "email":
        local, _at, domain = address.partition("@")
        return f"{local[:1]}…@{domain}" if domain else "…"
    digits = [ch for ch in address if ch.isdigit()]
    return "…" + "".join(digits[-4:]) if digits else "…"


def message_outcome(message: Message | None) -> dict:
    """What became of a message, in a form a page can say to the customer: `state` is "sent"
    (on its way or arrived), "later" (held for quiet hours) or "failed" (not sent, with the
    reason), with the channel and the masked address."""
    if message is None:
        return {"state": "failed", "channel": "", "to": "", "reason": ""}
    state = (
        "later"
        if message.status == "deferred"
        else "sent"
        if message.status in SENT_STATUSES
        else "failed"
    )
    return {
        "state": state,
        "channel": message.channel,
        "to": address_masked(message.to, message.channel),
        "reason": message.error or message.reason if state == "failed" else "",
        "when": message.scheduled_for,
    }


def messages_by_dedupe_keys(keys: list[str]) -> list[Message]:
    """The messages already made under these dedupe keys (a batch run again)."""
    return list(Message.objects.filter(dedupe_key__in=[k for k in keys if k]))


def messages_still_queued(ids: list[int], *, before) -> list[int]:
    """Of these messages, those still waiting for their provider since before `before` (their
    delivery task may have been lost with a worker), or claimed by a worker and not recorded
    yet (`messages_reconcile` settles them once their lease has run out)."""
    return list(
        Message.objects.filter(
            pk__in=ids, status__in=["queued", "sending"], created__lt=before
        ).values_list("pk", flat=True)
    )


def marketing_counts_since(contact_ids: list[int], *, since) -> dict[int, int]:
    """Marketing messages each contact was sent since `since` (the weekly cap's count)."""
    from django.db.models import Count

    return dict(
        Message.objects.filter(contact_id__in=contact_ids, category="marketing", created__gte=since)
        .exclude(status__in=["suppressed", "failed"])
        .values("contact_id")
        .annotate(n=Count("pk"))
        .values_list("contact_id", "n")
    )


def marketing_cap_frees_at(contact_ids: list[int], *, now: dt.datetime) -> dict[int, dt.datetime]:
    """For contacts the weekly marketing cap holds back at `now`: when it lets them have the
    next one (the moment the cap-th newest counted message leaves the seven days). A contact
    missing from the answer is not held back, or never will be (a cap of 0)."""
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    from ..services.settings import messaging_settings

    cap = messaging_settings().marketing_cap_per_week
    window = dt.timedelta(days=7)
    if cap <= 0 or not contact_ids:
        return {}
    ranked = (
        Message.objects.filter(
            contact_id__in=contact_ids, category="marketing", created__gte=now - window
        )
        .exclude(status__in=["suppressed", "failed"])
        .annotate(
            newest=Window(RowNumber(), partition_by=[F("contact_id")], order_by=F("created").desc())
        )
        .filter(newest=cap)
        .values_list("contact_id", "created")
    )
    return {contact_id: created + window for contact_id, created in ranked}
