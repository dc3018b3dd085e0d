"""The home page: a greeting and the cards every module registers (apps/accounts/registries.py),
each loaded by htmx from its owner's URL; the dashboard's own "Get started" card; and the
developer page partners follow."""

import json

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from rest_framework.settings import api_settings

from apps.accounts.choices import Role
from apps.accounts.permissions import role_required
from apps.accounts.registries import HomeCard, home_cards, visible_to
from apps.accounts.scopes import all_scopes, api_resources
from apps.accounts.views import home_card_view
from apps.contacts.registries import event_types

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


def _sample_value(description: str) -> str:
    return f"<{description}>"


def event_samples() -> list[dict]:
    """Each event type of the catalogue with the body a webhook delivers for it."""
    samples = []
    for event_type in sorted(event_types.values(), key=lambda t: t.name):
        body = {
            "type": event_type.name,
            "timestamp": "2026-03-05T14:30:00Z",
            "data": {
                "event_id": 1234,
                "contact_id": 42,
                "occurred_at": "2026-03-05T14:30:00Z",
                "source": "system",
                "properties": {
                    name: _sample_value(str(description))
                    for name, description in event_type.properties.items()
                },
            },
        }
        samples.append(
            {
                "type": event_type,
                "properties": [
                    (name, description, name in event_type.personal)
                    for name, description in event_type.properties.items()
                ],
                "body": json.dumps(body, indent=2, ensure_ascii=False),
            }
        )
    return samples


@require_GET
def developers(request):
    """The developer page of this business's host: open to anyone, it holds no business data."""
    scopes = set(all_scopes())
    context = {
        "base_url": request.build_absolute_uri("/").rstrip("/"),
        "events": event_samples(),
        "resources": [(r, f"{r}:write" in scopes) for r in api_resources()],
        "rate_limit": settings.API_RATE_LIMIT,
        "rate_window": settings.API_RATE_WINDOW_SECONDS,
        "page_size": api_settings.PAGE_SIZE,
    }
    return render(request, "dashboard/developers.html", context)
