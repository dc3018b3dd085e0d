"""Staff pages of recovery cases: the list with filters, one case (status, owner, notes,
resolve with a gesture and a "remember" note)."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.accounts.choices import Role
from apps.accounts.permissions import role_required

from ..selectors import case_get


@role_required(Role.VIEWER)
@require_GET
def case_detail(request, pk: int):
    case = case_get(pk)
    return render(request, "feedback/case_detail.html", {"case": case})
