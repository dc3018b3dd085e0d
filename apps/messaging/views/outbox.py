"""The Outbox (every message, with what the outbox provider "would have sent"), one message's
detail, and the inbox of replies customers sent. Viewers read; staff mark replies read."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.choices import Role
from apps.accounts.permissions import role_required
from apps.contacts.choices import Channel

from .. import selectors
from ..models import InboundMessage, MessageStatus
from ..services.inbound import inbound_mark_read

PAGE_SIZE = 50
# Not sent, deferred or re-routed messages carry a reason a person can read.
REASON_STATUSES = {MessageStatus.SUPPRESSED, MessageStatus.DEFERRED, MessageStatus.FAILED}
BADGES = {
    MessageStatus.SUPPRESSED: "danger",
    MessageStatus.FAILED: "danger",
    MessageStatus.QUEUED: "muted",
    MessageStatus.SENDING: "muted",
    MessageStatus.DEFERRED: "muted",
}


def _decorate(message) -> None:
    message.badge = BADGES.get(message.status, "ok")
    message.show_reason = message.status in REASON_STATUSES or bool(message.reason)


def is_partial(request) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


def _page_number(request) -> int:
    try:
        return max(1, min(int(request.GET.get("page", 1)), 10_000))
    except (TypeError, ValueError):
        return 1


def _page(queryset, page: int) -> tuple[list, bool]:
    """One page of rows, and whether another follows (one row more, no count query)."""
    offset = (page - 1) * PAGE_SIZE
    rows = list(queryset[offset : offset + PAGE_SIZE + 1])
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


@role_required(Role.VIEWER)
@require_GET
def outbox(request):
    channel = request.GET.get("channel", "")
    channel = channel if channel in Channel.values else ""
    status = request.GET.get("status", "")
    status = status if status in MessageStatus.values else ""
    page = _page_number(request)
    rows, has_next = _page(selectors.message_list(channel=channel, status=status), page)
    for message in rows:
        _decorate(message)
    context = {
        "messages_page": rows,
        "page": page,
        "has_next": has_next,
        "has_previous": page > 1,
        "filters": {"channel": channel, "status": status},
        "filtered": bool(channel or status),
        "channels": Channel.choices,
        "statuses": MessageStatus.choices,
    }
    if is_partial(request):
        return render(request, "messaging/_message_table.html", context)
    return render(request, "messaging/outbox.html", context)


@role_required(Role.VIEWER)
@require_GET
def message_detail(request, pk: int):
    message = selectors.message_get(pk)
    _decorate(message)
    steps = [
        (_("Created"), message.created),
        (_("Scheduled for"), message.scheduled_for),
        (_("Sent"), message.sent_at),
        (_("Delivered"), message.delivered_at),
        (_("Opened"), message.opened_at),
        (_("Clicked"), message.clicked_at),
        (_("Replied"), message.replied_at),
    ]
    return render(
        request,
        "messaging/message_detail.html",
        {"message": message, "steps": [(label, when) for label, when in steps if when]},
    )


@role_required(Role.VIEWER)
@require_GET
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    page = _page_number(request)
    rows, has_next = _page(selectors.inbound_list(unread_only=unread_only), page)
    context = {
        "replies": rows,
        "page": page,
        "has_next": has_next,
        "has_previous": page > 1,
        "unread_only": unread_only,
        "can_write": request.user.has_role(Role.STAFF),
    }
    return render(request, "messaging/inbox.html", context)


@role_required(Role.STAFF)
@require_POST
def inbox_mark_read(request, pk: int):
    inbound_mark_read(inbound=get_object_or_404(InboundMessage, pk=pk))
    return redirect("messaging:inbox")
