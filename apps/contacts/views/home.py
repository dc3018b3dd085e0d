"""The home page's "My tasks" card, loaded by htmx from its own URL."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.choices import Role
from apps.accounts.registries import HomeCard
from apps.accounts.views import home_card_view

from ..selectors import tasks_open_for

HOME_TASKS = 10
TASKS = HomeCard(
    id="contacts.tasks",
    title=_("My tasks"),
    url_name="contacts:home_tasks",
    order=20,
    min_role=Role.VIEWER,  # anyone on the team can be given a task
)


@home_card_view(TASKS)
def home_tasks(request):
    """The user's open tasks, overdue first (one query)."""
    return render(
        request,
        "contacts/_home_tasks.html",
        {
            "card": TASKS,
            "tasks": list(tasks_open_for(request.user, limit=HOME_TASKS)),
            "today": timezone.localdate(),
        },
    )
