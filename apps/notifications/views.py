"""The bell: its unread count (polled by htmx), the dropdown and page of notifications, opening
one, marking all read, and the member's choices on their preferences page."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.choices import Role
from apps.accounts.permissions import role_required
from cxsuite.lib.forms import form_add_service_errors

from . import selectors, services
from .forms import NotificationPreferencesForm


def _list_context(request, *, panel: bool) -> dict:
    limit = selectors.PANEL_SIZE if panel else selectors.PAGE_SIZE
    now = timezone.now()
    rows = [
        (n, selectors.notification_describe(n.event, n.kind), _ago(n.created, now))
        for n in selectors.notifications_for(user=request.user, limit=limit)
    ]
    return {
        "rows": rows,
        "panel": panel,
        "unread": sum(1 for n, _d, _a in rows if n.read_at is None),
    }


def _ago(when: dt.datetime, now: dt.datetime) -> str:
    if now - when < dt.timedelta(minutes=1):
        return _("just now")
    return _("%(time)s ago") % {"time": timesince(when, now, depth=1)}


@role_required(Role.VIEWER)
@require_GET
def notification_count(request):
    """The bell's badge (an htmx fragment, polled): one count query."""
    count = selectors.notifications_unread_count(user=request.user)
    return render(request, "notifications/_bell_count.html", {"count": count})


@role_required(Role.VIEWER)
@require_GET
def notification_list(request):
    """Newest first: the page, or the dropdown's list when htmx asks with `?panel=1`."""
    panel = bool(request.htmx) and request.GET.get("panel") == "1"
    context = _list_context(request, panel=panel)
    if request.htmx:
        return render(request, "notifications/_notification_list.html", context)
    return render(request, "notifications/notification_list.html", context)


@role_required(Role.VIEWER)
@require_POST
def notification_mark_all_read(request):
    """Mark every one read; htmx gets the list again (and the badge out of band)."""
    services.notifications_mark_read(user=request.user)
    if request.htmx:
        panel = request.POST.get("panel") == "1"
        context = {**_list_context(request, panel=panel), "count": 0, "badge_oob": True}
        return render(request, "notifications/_notification_list.html", context)
    return redirect("notifications:notification_list")


@role_required(Role.VIEWER)
@require_GET
def notification_open(request, pk: int):
    """Mark it read and go where it points (the appointment, or the contact)."""
    notification = selectors.notification_get(user=request.user, pk=pk)
    if notification is None:
        raise Http404
    services.notifications_mark_read(user=request.user, ids=[notification.pk])
    described = selectors.notification_describe(notification.event, notification.kind)
    return redirect(described.path or reverse("notifications:notification_list"))


@role_required(Role.VIEWER)
@require_http_methods(["GET", "POST"])
def notification_preferences(request):
    """The "Notifications" section of the member's preferences page (an htmx fragment)."""
    back = reverse("accounts:settings_preferences") + "#notifications"
    if not request.htmx and request.method == "GET":
        return redirect(back)
    current = services.notification_choices([request.user])[request.user.pk]
    form = NotificationPreferencesForm(request.POST or None, current=current)
    saved = False
    if request.method == "POST" and form.is_valid():
        try:
            services.notification_preferences_set(user=request.user, choices=form.choices())
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            if not request.htmx:
                return redirect(back)
            saved = True
    return render(
        request,
        "notifications/_preferences.html",
        {"form": form, "saved": saved, "saved_text": _("Saved.")},
    )
