"""The home page's "Today's appointments" card, loaded by htmx from its own URL."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from apps.accounts.choices import Role
from apps.accounts.registries import HomeCard
from apps.accounts.views import home_card_view

from ..selectors.availability import practice_zone
from ..selectors.calendar import appointments_today

TODAY = HomeCard(
    id="appointments.today",
    title=_("Today's appointments"),
    url_name="appointments:home_today",
    order=10,
    min_role=Role.VIEWER,
)


@home_card_view(TODAY)
def home_today(request):
    """The visits still to come today (and those in the chair), and how many the day holds."""
    coming, day_total = appointments_today()
    return render(
        request,
        "appointments/_home_today.html",
        {
            "card": TODAY,
            "appointments": coming,
            "appointments_total": day_total,
            "zone": practice_zone(),
        },
    )
