"""Pages a customer reaches from a message, without logging in: unsubscribe (and the RFC 8058
one-click POST mail apps send), the preference page, the open pixel, the click redirect and
the short links of texts.

A bad or expired token gets a clear page with status 400, never a 500; the pixel is a GIF
whatever happens, so a broken link never shows a broken image."""

from __future__ import annotations

import contextlib

from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from apps.contacts.choices import ConsentStatus
from apps.tenants.languages import customer_page, page_language_activate
from cxsuite.lib.errors import DomainError

from ..registries import preference_topics
from ..services import links as services

# The smallest transparent 1x1 GIF.
PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def _invalid(request, exc: ValidationError):
    return render(request, "messaging/link_invalid.html", {"reason": exc.messages[0]}, status=400)


def _is_one_click(request) -> bool:
    return request.method == "POST" and request.POST.get("List-Unsubscribe") == "One-Click"


@customer_page
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET: a confirm page with a button. POST: unsubscribe from email.

    Mail apps POST `List-Unsubscribe=One-Click` without a CSRF token (RFC 8058); that POST
    alone skips the CSRF check, the page's own button is checked as usual.
    """
    if request.method == "POST" and not _is_one_click(request):
        refused = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
        if refused is not None:
            return refused
    done = request.method == "POST"
    try:
        if done:
            contact = services.unsubscribe_one_click(token=token)
        else:
            contact = services.contact_for_token(token=token, purpose="unsubscribe")
    except ValidationError as exc:
        return _invalid(request, exc)
    page_language_activate(contact.language)  # the customer's, where known
    return render(request, "messaging/unsubscribed.html", {"done": done, "token": token})


@customer_page
@never_cache
@require_http_methods(["GET", "POST"])
def preferences(request, token: str):
    """Three channel checkboxes; saving records each change in the consent history."""
    try:
        contact = services.contact_for_token(token=token, purpose="preferences")
        page_language_activate(contact.language)  # the customer's, where known
        saved = False
        if request.method == "POST":
            contact = services.preferences_save(
                token=token,
                email="email" in request.POST,
                sms="sms" in request.POST,
                voice="voice" in request.POST,
                topics={
                    label: [int(v) for v in request.POST.getlist(f"topic-{label}") if v.isdigit()]
                    for label in preference_topics
                },
            )
            saved = True
    except ValidationError as exc:
        return _invalid(request, exc)
    choices = {
        channel: contact.consent_for(channel) == ConsentStatus.OPTED_IN
        for channel in ("email", "sms", "voice")
    }
    sections = [(label, section.topics(contact)) for label, section in preference_topics.items()]
    return render(
        request,
        "messaging/preferences.html",
        {
            "contact": contact,
            "choices": choices,
            "saved": saved,
            "token": token,
            "topic_sections": [(label, rows) for label, rows in sections if rows],
        },
    )


@never_cache
@require_GET
def open_pixel(request, token: str):
    """Always the GIF; only a valid token of this business marks its message opened."""
    with contextlib.suppress(ValidationError, DomainError):
        services.message_opened(token=token, user_agent=request.headers.get("User-Agent", ""))
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["Cache-Control"] = "no-store, private"
    return response


@customer_page
@never_cache
@require_GET
def click(request, token: str):
    """Go to the URL signed into the token and nowhere else."""
    try:
        target = services.click_target(token=token)
    except ValidationError as exc:
        return _invalid(request, exc)
    given = request.GET.get("url")
    if given is not None and given != target:
        # Someone changed the visible address: refuse rather than go anywhere.
        return _invalid(request, ValidationError(services.INVALID))
    with contextlib.suppress(ValidationError, DomainError):  # the customer still gets there
        services.message_clicked(token=token, user_agent=request.headers.get("User-Agent", ""))
    return HttpResponseRedirect(target)


@customer_page
@never_cache
@require_GET
def short_link(request, code: str):
    """A short link from a text: recorded on its message (once), then on to its address."""
    try:
        target = services.short_link_followed(code=code)
    except ValidationError as exc:
        return _invalid(request, exc)
    return HttpResponseRedirect(target)
