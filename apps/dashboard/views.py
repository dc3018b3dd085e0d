"""The home page: a greeting and the cards every module registers (apps/accounts/registries.py),
each loaded by htmx from its owner's URL; and the dashboard's own "Get started" card."""

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from apps.accounts.choices import Role
from apps.accounts.permissions import role_required
from apps.accounts.registries import HomeCard, home_cards, visible_to
from apps.accounts.views import home_card_view

from .selectors import home_figures

GET_STARTED = HomeCard(
    id="dashboard.get_started",
    title=_("Get started"),
    url_name="dashboard:home_get_started",
    order=90,
    min_role=Role.VIEWER,
)


@role_required(Role.VIEWER)
def home(request):
    """The page reads nothing of its own: the cards load on their own after it is drawn."""
    return render(
        request, "dashboard/home.html", {"cards": visible_to(request.user, home_cards.values())}
    )


@home_card_view(GET_STARTED)
def home_get_started(request):
    """First steps, ticked off from counts of the business's data (one query)."""
    return render(
        request,
        "dashboard/_home_get_started.html",
        {"card": GET_STARTED, "figures": home_figures()},
    )
