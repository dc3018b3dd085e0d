"""Getting the booking page out: the set-up checklist on Home (hours → a service someone
performs → see and share the page), the booking page's link on Home and on its own page (copy
button, QR code, website embed), and the two ways the checklist's last step ticks itself
(opening the page from here, copying its link)."""

from __future__ import annotations

import io

import segno
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.choices import Role
from apps.accounts.permissions import role_required
from apps.accounts.registries import HomeCard
from apps.accounts.views import home_card_view
from apps.tenants.services import tenant_current, tenant_url

from ..selectors import setup as selectors
from ..services import appointment_settings
from ..services import setup as services
from .public import is_partial

SETUP = HomeCard(
    id="appointments.setup",
    title=_("Set up online booking"),
    url_name="appointments:home_setup",
    order=5,
    min_role=Role.MANAGER,
)
BOOKING_LINK = HomeCard(
    id="appointments.booking_link",
    title=_("Your booking page"),
    url_name="appointments:home_booking_link",
    order=15,
    min_role=Role.VIEWER,
)
QR_CACHE_SECONDS = 24 * 3600
SHARED = "booking-link-shared"  # the htmx event the checklist listens for


def booking_url(request) -> str:
    """The booking page's address as staff share it: the business's host, with the scheme and
    port they reached it on (the canonical address wherever the site runs on standard ports)."""
    return tenant_url(tenant_current(), reverse("appointments:booking_start"), request=request)


def _link_context(request) -> dict:
    url = booking_url(request)
    business = tenant_current()
    return {
        "booking_url": url,
        "business_name": business.name,
        "brand_color": getattr(business, "brand_color", "") or "#0f766e",
        "settings": appointment_settings(),
    }


@home_card_view(SETUP)
def home_setup(request):
    """The checklist until every step is done or a manager puts it away: then nothing, and
    htmx removes the card's placeholder."""
    checklist = selectors.setup_checklist()
    if not checklist.shown:
        return HttpResponse("")
    return render(request, "appointments/_home_setup.html", {"card": SETUP, "checklist": checklist})


@home_card_view(BOOKING_LINK)
def home_booking_link(request):
    return render(
        request,
        "appointments/_home_booking_link.html",
        {"card": BOOKING_LINK, **_link_context(request)},
    )


@role_required(Role.MANAGER)
@require_POST
def setup_checklist_dismiss(request):
    services.setup_checklist_dismiss()
    if is_partial(request):
        return HttpResponse("")
    return redirect("dashboard:home")


@role_required(Role.VIEWER)
@require_GET
def booking_share(request):
    """The booking page's link, its QR code and the snippets to put it on a website."""
    return render(request, "appointments/booking_share.html", _link_context(request))


@role_required(Role.VIEWER)
@require_GET
def booking_link_open(request):
    """Opens the booking page from Home or the sidebar, and ticks the checklist's last step."""
    services.booking_page_shared_mark()
    return redirect(booking_url(request))


@role_required(Role.VIEWER)
@require_POST
def booking_link_copied(request):
    """The copy button was used (its script calls this): the checklist's last step is done."""
    services.booking_page_shared_mark()
    response = HttpResponse(status=204)
    response["HX-Trigger"] = SHARED
    return response


def booking_qr_svg(url: str) -> bytes:
    """A QR code of `url` as SVG (cached per address: it changes only with the address)."""
    key = f"appointments:booking-qr:{url}"
    svg = cache.get(key)
    if svg is None:
        out = io.BytesIO()
        segno.make(url, error="m").save(
            out, kind="svg", scale=8, border=2, xmldecl=False, title="QR code", nl=False
        )
        svg = out.getvalue()
        cache.set(key, svg, QR_CACHE_SECONDS)
    return svg


@role_required(Role.VIEWER)
@require_GET
@cache_control(private=True, max_age=QR_CACHE_SECONDS)
def booking_qr(request):
    """The booking page's QR code, to print or to put on a flyer (`?download=1` saves it)."""
    response = HttpResponse(booking_qr_svg(booking_url(request)), content_type="image/svg+xml")
    if request.GET.get("download"):
        response["Content-Disposition"] = 'attachment; filename="booking-page-qr.svg"'
    return response
