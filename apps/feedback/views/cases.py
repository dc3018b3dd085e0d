"""Staff pages of recovery cases: the list with filters (overdue first), one case with its
quoted response, notes, status, owner, and resolving with a cause, a gesture and a
"remember" note."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.choices import Role
from apps.accounts.permissions import role_required
from apps.accounts.selectors import users_active
from cxsuite.lib.errors import DomainError

from ..forms import CaseResolveForm, CaseUpdateForm
from ..models import CaseStatus
from ..selectors import case_get, case_list
from ..services.cases import case_resolve, case_update

PAGE = 100


@role_required(Role.VIEWER)
@require_GET
def case_list_view(request):
    now = timezone.now()
    status = request.GET.get("status", "open")
    if status not in ("open", "all", *CaseStatus.values):
        status = "open"
    owner = request.GET.get("owner", "")
    owner_id = int(owner) if owner.isdigit() else None
    overdue = request.GET.get("overdue") == "1"
    cases = list(
        case_list(
            status="" if status == "all" else status, owner_id=owner_id, overdue=overdue, now=now
        )[:PAGE]
    )
    return render(
        request,
        "feedback/case_list.html",
        {
            "cases": cases,
            "now": now,
            "status": status,
            "owner_id": owner_id,
            "overdue": overdue,
            "owners": users_active(),
            "statuses": [("open", _("Open or contacted")), *CaseStatus.choices, ("all", _("All"))],
        },
    )


def _detail(request, case, *, update_form=None, resolve_form=None, status=200):
    can_write = request.user.has_role(Role.STAFF)
    return render(
        request,
        "feedback/case_detail.html",
        {
            "case": case,
            "now": timezone.now(),
            "notes": list(case.notes.select_related("author")),
            "can_write": can_write and case.is_open,
            "update_form": update_form
            or CaseUpdateForm(initial={"status": case.status, "owner": case.owner_id}),
            "resolve_form": resolve_form or CaseResolveForm(),
            "remember": getattr(case, "remember", None) if hasattr(case, "remember") else None,
        },
        status=status,
    )


@role_required(Role.VIEWER)
@require_GET
def case_detail(request, pk: int):
    return _detail(request, case_get(pk))


@role_required(Role.STAFF)
@require_POST
def case_update_view(request, pk: int):
    case = case_get(pk)
    form = CaseUpdateForm(request.POST)
    if form.is_valid():
        try:
            case_update(
                case=case,
                actor=request.user,
                status=form.cleaned_data["status"],
                owner=form.cleaned_data["owner"],
                note=form.cleaned_data["note"],
            )
        except (ValidationError, DomainError) as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Case updated."))
            return redirect("feedback:case_detail", pk=case.pk)
    return _detail(request, case_get(pk), update_form=form, status=400)


@role_required(Role.STAFF)
@require_POST
def case_resolve_view(request, pk: int):
    case = case_get(pk)
    form = CaseResolveForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            case_resolve(
                case=case,
                actor=request.user,
                root_cause=data["root_cause"],
                resolution=data["resolution"],
                gesture_kind=data["gesture_kind"] or "",
                gesture_points=data["gesture_points"] or 0,
                gesture_value=data["gesture_value"] or 0,
                remember=data["remember"],
            )
        except (ValidationError, DomainError) as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Case resolved."))
            return redirect("feedback:case_detail", pk=case.pk)
    return _detail(request, case_get(pk), resolve_form=form, status=400)
