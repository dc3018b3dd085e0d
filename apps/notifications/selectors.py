"""Reads for the bell: the unread count, the newest notifications, and how one is said.

Nothing about the customer is stored with a notification: the words are made from the
timeline event and the contact at display time, so an erased contact shows as erased."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, NamedTuple

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from .choices import Kind
from .models import Notification

if TYPE_CHECKING:
    from apps.contacts.models import TimelineEvent

PANEL_SIZE = 8
PAGE_SIZE = 50


class Described(NamedTuple):
    """A notification in words: what happened, to whom, the details and where to look."""

    title: str
    who: str
    detail: str
    when: dt.datetime | None
    path: str


def notifications_unread_count(*, user) -> int:
    """The number on the bell (one indexed query)."""
    return Notification.objects.filter(user=user, in_app=True, read_at__isnull=True).count()


def notifications_for(*, user, limit: int = PAGE_SIZE) -> QuerySet[Notification]:
    """The user's bell, newest first, with what it takes to say each one (one query)."""
    return (
        Notification.objects.filter(user=user, in_app=True)
        .select_related("event__contact")
        .order_by("-created", "-pk")[:limit]
    )


def notification_get(*, user, pk: int) -> Notification | None:
    """One of the user's own notifications (another member's or business's id: None)."""
    return (
        Notification.objects.filter(user=user, in_app=True, pk=pk)
        .select_related("event__contact")
        .first()
    )


def _when(value) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _path(name: str, pk) -> str:
    try:
        return reverse(name, args=[int(pk)])
    except (NoReverseMatch, TypeError, ValueError):
        return ""


def notification_describe(event: TimelineEvent, kind: str) -> Described:
    """What the bell and the e-mail say of an event."""
    props = event.properties or {}
    contact = event.contact
    who = _("Erased contact") if contact.erased_at is not None else str(contact)
    contact_path = _path("contacts:contact_detail", contact.pk)
    if kind == Kind.REPLY:
        channel = str(props.get("channel") or "").upper()
        body = " ".join(str(props.get("body") or "").split())
        detail = f"{channel} · “{body[:140]}”" if body else channel
        # no time of its own: it came when the notification did
        return Described(_("Reply received"), who, detail, None, contact_path)
    titles: dict[str, str] = {
        Kind.BOOKED_ONLINE: _("New online booking"),
        Kind.APPROVAL_NEEDED: _("Booking waiting for approval"),
        Kind.CANCELLED: (
            _("Cancelled by the customer")
            if props.get("by") == "customer"
            else _("Cancelled by the practice")
        ),
    }
    title = titles.get(kind) or kind
    detail = " · ".join(str(props[k]) for k in ("service", "staff") if props.get(k))
    path = _path("appointments:appointment_detail", props.get("appointment_id")) or contact_path
    return Described(title, who, detail, _when(props.get("starts_at")), path)
