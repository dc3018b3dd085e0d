"""The webhook settings pages (owners and managers): the endpoints, one endpoint with its
delivery log, one delivery with its attempts. An htmx request for the log gets the table."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from apps.accounts.choices import Role
from apps.accounts.permissions import role_required
from cxsuite.lib.forms import form_add_service_errors

from . import selectors, services
from .forms import EndpointForm, ReplayForm
from .models import DeliveryStatus, WebhookEndpoint

LOG_PAGE = 25


def _is_partial(request) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


def _endpoint_form(endpoint: WebhookEndpoint, data=None) -> EndpointForm:
    initial = {
        "url": endpoint.url,
        "description": endpoint.description,
        "all_types": endpoint.all_types,
        "event_types": endpoint.event_types,
    }
    return EndpointForm(data, initial=initial, prefix="endpoint")


def _log_context(request, endpoint: WebhookEndpoint) -> dict:
    status = request.GET.get("status", "")
    if status not in DeliveryStatus.values:
        status = ""
    deliveries = selectors.webhook_delivery_list(endpoint=endpoint, status=status or None)
    page = Paginator(deliveries, LOG_PAGE).get_page(request.GET.get("page"))
    return {
        "endpoint": endpoint,
        "page": page,
        "status": status,
        "statuses": DeliveryStatus.choices,
    }


def _detail(request, endpoint: WebhookEndpoint, **extra) -> object:
    context = {
        "section": "webhooks",
        "endpoint": endpoint,
        "form": extra.pop("form", None) or _endpoint_form(endpoint),
        "replay_form": extra.pop("replay_form", None) or ReplayForm(prefix="replay"),
        **_log_context(request, endpoint),
        **extra,
    }
    return render(request, "webhooks/endpoint_detail.html", context)


@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def endpoint_list(request):
    """The endpoints and the form that adds one; a new endpoint's secret shows only here."""
    form = EndpointForm(request.POST or None, prefix="endpoint")
    created = secret = None
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = services.webhook_endpoint_create(
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                event_types=form.chosen_types(),
                created_by=request.user,
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            form = EndpointForm(prefix="endpoint")
    context = {
        "section": "webhooks",
        "form": form,
        "endpoints": selectors.webhook_endpoint_list(),
        "created": created,
        "new_secret": secret,
    }
    return render(request, "webhooks/endpoint_list.html", context)


@role_required(Role.MANAGER)
@require_http_methods(["GET"])
def endpoint_detail(request, pk: int):
    """One endpoint: its settings, secret, replay and the delivery log (the log alone for
    htmx: filters and pages)."""
    endpoint = selectors.webhook_endpoint_get(pk)
    if _is_partial(request):
        return render(request, "webhooks/_delivery_table.html", _log_context(request, endpoint))
    return _detail(request, endpoint)


@role_required(Role.MANAGER)
@require_POST
def endpoint_update(request, pk: int):
    endpoint = selectors.webhook_endpoint_get(pk)
    form = _endpoint_form(endpoint, request.POST)
    if form.is_valid():
        try:
            services.webhook_endpoint_update(
                endpoint=endpoint,
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                event_types=form.chosen_types(),
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Endpoint saved."))
            return redirect("webhooks:endpoint_detail", pk=endpoint.pk)
    return _detail(request, endpoint, form=form)


@role_required(Role.MANAGER)
@require_POST
def endpoint_rotate(request, pk: int):
    """A new secret, shown on this answer only; the old one signs beside it for 24 hours."""
    endpoint = selectors.webhook_endpoint_get(pk)
    endpoint, secret = services.webhook_endpoint_rotate_secret(endpoint=endpoint)
    if _is_partial(request):
        context = {"endpoint": endpoint, "new_secret": secret}
        return render(request, "webhooks/_secret.html", context)
    return _detail(request, endpoint, new_secret=secret)


@role_required(Role.MANAGER)
@require_POST
def endpoint_switch(request, pk: int):
    """Turn the endpoint on or off."""
    endpoint = selectors.webhook_endpoint_get(pk)
    if endpoint.is_active:
        services.webhook_endpoint_disable(endpoint=endpoint)
        messages.success(request, _("Endpoint turned off: nothing is sent to it."))
    else:
        services.webhook_endpoint_enable(endpoint=endpoint)
        messages.success(request, _("Endpoint turned on: waiting deliveries go now."))
    return redirect("webhooks:endpoint_detail", pk=endpoint.pk)


@role_required(Role.MANAGER)
@require_POST
def endpoint_replay(request, pk: int):
    endpoint = selectors.webhook_endpoint_get(pk)
    form = ReplayForm(request.POST, prefix="replay")
    if form.is_valid():
        try:
            queued = services.webhook_endpoint_replay(
                endpoint=endpoint, since=form.cleaned_data["since"]
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            text = ngettext(
                "%(n)s delivery queued to be sent again.",
                "%(n)s deliveries queued to be sent again.",
                queued,
            )
            messages.success(request, text % {"n": queued})
            return redirect("webhooks:endpoint_detail", pk=endpoint.pk)
    return _detail(request, endpoint, replay_form=form)


@role_required(Role.MANAGER)
@require_POST
def endpoint_delete(request, pk: int):
    endpoint = selectors.webhook_endpoint_get(pk)
    services.webhook_endpoint_delete(endpoint=endpoint)
    messages.success(request, _("Endpoint removed."))
    if request.htmx:
        return HttpResponseClientRedirect(reverse("webhooks:endpoint_list"))
    return redirect("webhooks:endpoint_list")


@role_required(Role.MANAGER)
@require_http_methods(["GET"])
def delivery_detail(request, pk: int, delivery_pk: int):
    """One delivery: the request sent (headers and body) and each attempt's answer."""
    endpoint = selectors.webhook_endpoint_get(pk)
    delivery = selectors.webhook_delivery_get(endpoint=endpoint, pk=delivery_pk)
    context = {
        "section": "webhooks",
        "endpoint": endpoint,
        "delivery": delivery,
        "attempts": selectors.webhook_attempts_for(delivery),
        "payload_json": json.dumps(delivery.payload, indent=2, ensure_ascii=False),
    }
    return render(request, "webhooks/delivery_detail.html", context)


@role_required(Role.MANAGER)
@require_POST
def delivery_replay(request, pk: int, delivery_pk: int):
    endpoint = selectors.webhook_endpoint_get(pk)
    delivery = selectors.webhook_delivery_get(endpoint=endpoint, pk=delivery_pk)
    try:
        services.webhook_delivery_replay(delivery=delivery)
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    else:
        messages.success(request, _("The delivery is sent again now."))
    return redirect("webhooks:delivery_detail", pk=endpoint.pk, delivery_pk=delivery.pk)
