"""The home page: a greeting and the cards every module registers (apps/accounts/registries.py),
each loaded by htmx from its owner's URL, then the analytics widgets for a chosen period, each
loaded the same way from `/analytics/widgets/<id>/`; a widget's CSV; the dashboard's own "Get
started" card; and the developer page partners follow."""

import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods
from rest_framework.settings import api_settings

from apps.accounts.choices import Role
from apps.accounts.permissions import role_required
from apps.accounts.registries import HomeCard, home_cards, visible_to
from apps.accounts.scopes import all_scopes, api_resources
from apps.accounts.views import home_card_view
from apps.contacts.registries import event_types
from cxsuite.lib.analytics import PERIOD_DAYS

from .analytics import period_for, widget_data, widget_get, widgets_for
from .charts import chart_svg
from .presenting import (
    PERIOD_LABELS,
    figure_views,
    table_body,
    table_rows,
    widget_csv,
    widget_is_empty,
)
from .selectors import home_figures
from .services import weekly_summary_choose, weekly_summary_chosen

GET_STARTED = HomeCard(
    id="dashboard.get_started",
    title=_("Get started"),
    url_name="dashboard:home_get_started",
    order=90,
    min_role=Role.VIEWER,
)


def _is_partial(request) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


@role_required(Role.VIEWER)
@require_GET
def home(request):
    """The page reads nothing of its own: the cards and widgets load on their own after it is
    drawn. Choosing a period by htmx swaps the analytics section alone."""
    period = period_for(request.GET.get("period"))
    context = {
        "cards": visible_to(request.user, home_cards.values()),
        "widgets": widgets_for(request.user),
        "period": period,
        "periods": [(key, PERIOD_LABELS[key]) for key in PERIOD_DAYS],
        "first_day": period.start.date(),
        "last_day": period.local_days()[-1],
    }
    if _is_partial(request) and request.htmx.target == "analytics":
        return render(request, "dashboard/_analytics.html", context)
    return render(request, "dashboard/home.html", context)


def _widget_or_404(request, widget_id: str):
    widget = widget_get(widget_id, user=request.user)
    if widget is None:
        raise Http404("No such widget.")
    return widget


@role_required(Role.VIEWER)
@require_GET
def analytics_widget(request, widget_id: str):
    """One widget for the period asked (the home page loads each by htmx); opened as a page
    itself, it leads home, where it loads."""
    widget = _widget_or_404(request, widget_id)
    if not _is_partial(request):
        return redirect("dashboard:home")
    period = period_for(request.GET.get("period"))
    data = widget_data(widget, period)
    period_label = PERIOD_LABELS[period.key]
    chart_label = (
        f"{widget.title} · {data.chart.title or ''} · {period_label}" if data.chart else ""
    )
    context = {
        "widget": widget,
        "period": period,
        "period_label": period_label,
        "data": data,
        "empty": bool(data.empty_message) or widget_is_empty(data),
        "figures": figure_views(data.figures),
        "chart": chart_svg(data.chart, chart_label.replace(" ·  · ", " · ")) if data.chart else "",
        "rows": table_body(table_rows(data.table), data.table.columns if data.table else ()),
        "staff_rows": table_body(
            table_rows(data.by_staff), data.by_staff.columns if data.by_staff else ()
        ),
    }
    return render(request, "dashboard/_widget.html", context)


@role_required(Role.VIEWER)
@require_GET
def analytics_widget_csv(request, widget_id: str):
    """The widget's figures as CSV, named after the business, the widget and the period."""
    widget = _widget_or_404(request, widget_id)
    period = period_for(request.GET.get("period"))
    data = widget_data(widget, period)
    last_day = period.local_days()[-1]
    name = "-".join(
        [
            slugify(request.tenant.name) or "business",
            slugify(widget.id.replace(".", "-")),
            period.start.date().isoformat(),
            last_day.isoformat(),
        ]
    )
    response = HttpResponse(widget_csv(data), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def weekly_summary_preference(request):
    """The preferences page's section for the Monday e-mail (owners and managers)."""
    if request.method == "POST":
        chosen = request.POST.get("weekly_summary") == "on"
        try:
            weekly_summary_choose(user=request.user, chosen=chosen)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("You will get the weekly summary on Mondays.")
                if chosen
                else _("You will no longer get the weekly summary."),
            )
        if not _is_partial(request):
            return redirect("accounts:settings_preferences")
    elif not _is_partial(request):
        return redirect("accounts:settings_preferences")
    return render(
        request,
        "dashboard/_weekly_summary_preference.html",
        {"chosen": weekly_summary_chosen(request.user)},
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
