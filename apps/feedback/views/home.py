"""The home page's cards: "Unhappy customers" (open cases, overdue ones first and marked) and
"Remember today" (the notes the day's visits must start with, until honoured)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.choices import Role
from apps.accounts.registries import HomeCard
from apps.accounts.views import home_card_view

from ..selectors import case_list, remember_notes_today

CASES = HomeCard(
    id="feedback.cases",
    title=_("Unhappy customers"),
    url_name="feedback:home_cases",
    order=14,
    min_role=Role.VIEWER,
)
LIMIT = 5
REMEMBER = HomeCard(
    id="feedback.remember",
    title=_("Remember today"),
    url_name="feedback:home_remember",
    order=13,
    min_role=Role.VIEWER,
)


@home_card_view(CASES)
def home_cases(request):
    now = timezone.now()
    cases = list(case_list(status="open", now=now)[: LIMIT + 1])
    overdue = sum(1 for c in cases if c.due_at < now)
    return render(
        request,
        "feedback/_home_cases.html",
        {
            "card": CASES,
            "cases": cases[:LIMIT],
            "more": len(cases) > LIMIT,
            "now": now,
            "overdue": overdue,
        },
    )


@home_card_view(REMEMBER)
def home_remember(request):
    rows = remember_notes_today(now=timezone.now())
    return render(
        request,
        "feedback/_home_remember.html",
        {
            "card": REMEMBER,
            "rows": rows,
            "can_honour": request.user.has_role(Role.STAFF),
        },
    )
