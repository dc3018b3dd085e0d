"""The home page's "Today's appointments" card, loaded by htmx from its own URL."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render, resolve_url
from django.utils.translation import gettext_lazy as _

from apps.accounts.choices import Role
from apps.accounts.registries import HomeCard
from apps.accounts.views import home_card_view

from ..selectors.availability import practice_zone
from ..selectors.calendar import appointments_awaiting_approval, appointments_today

PENDING_LIMIT = 5

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


PENDING = HomeCard(
    id="appointments.pending",
    title=_("Waiting for your approval"),
    url_name="appointments:home_pending",
    order=12,
    min_role=Role.VIEWER,
)


@home_card_view(PENDING)
def home_pending(request):
    """Online booking requests that wait for a person, soonest first, each with Approve and
    a link to the appointment (where it can be declined); nothing when none waits."""
    pending = appointments_awaiting_approval(limit=PENDING_LIMIT + 1)
    return render(
        request,
        "appointments/_home_pending.html",
        {
            "card": PENDING,
            "appointments": pending[:PENDING_LIMIT],
            "more": len(pending) > PENDING_LIMIT,
            "zone": practice_zone(),
            "can_write": request.user.has_role(Role.STAFF),
            "back_url": resolve_url(settings.LOGIN_REDIRECT_URL),
        },
    )
