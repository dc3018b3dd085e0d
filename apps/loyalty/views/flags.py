"""Flagged activity for the owner and managers: what the ledger found unusual (many earns
for one member in a day, a staff member adjusting a contact they own), filtered by kind,
review status, staff member and period; each flag can be marked reviewed."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.choices import Role
from apps.accounts.permissions import role_required

from ..forms import FlagFilterForm
from ..models import ActivityFlag
from ..selectors.flags import OPEN, flag_staff_choices, flags_list
from ..services.flags import activity_flag_resolve
from .common import is_partial

PAGE_SIZE = 50


@role_required(Role.MANAGER)
@require_GET
def flag_list(request):
    """The flags, newest first; open ones by default (htmx swaps the results only)."""
    form = FlagFilterForm(request.GET or None, staff_choices=flag_staff_choices())
    filters: dict = {"status": OPEN}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "kind": data["kind"],
            "status": data["status"] or OPEN,
            "staff_id": data["staff"] if data["staff"] != "" else None,
            "since": (
                timezone.now() - dt.timedelta(days=data["days"])
                if data["days"] not in ("", None)
                else None
            ),
        }
    paginator = Paginator(flags_list(**filters), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "flags": list(page.object_list),
        "query": query.urlencode(),
        "filtered": form.is_bound,
    }
    if is_partial(request) and request.htmx.target == "flag-results":
        return render(request, "loyalty/_flag_results.html", context)
    return render(request, "loyalty/flag_list.html", context)


@role_required(Role.MANAGER)
@require_POST
def flag_resolve(request, pk: int):
    flag = ActivityFlag.objects.filter(pk=pk).first()
    if flag is None:
        raise Http404
    activity_flag_resolve(flag=flag, staff=request.user)
    messages.success(request, _("Marked as reviewed."))
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/loyalty/flags/") else "loyalty:flag_list")
