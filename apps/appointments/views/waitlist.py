"""The staff's view of the waitlist: who waits for what, and taking someone off it."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.choices import Role
from apps.accounts.permissions import role_required

from ..models import WaitlistEntry
from ..selectors.setup import waitlist_open
from ..services.waitlist import waitlist_leave


@role_required(Role.VIEWER)
@require_GET
def waitlist_list(request):
    return render(
        request,
        "appointments/waitlist_list.html",
        {
            "entries": waitlist_open(),
            "can_write": request.user.has_role(Role.STAFF),
        },
    )


@role_required(Role.STAFF)
@require_POST
def waitlist_remove(request, pk: int):
    entry = get_object_or_404(WaitlistEntry.objects.select_related("contact"), pk=pk)
    waitlist_leave(entry=entry)
    messages.success(request, _("%(name)s is off the waitlist.") % {"name": entry.contact})
    return redirect("appointments:waitlist_list")
