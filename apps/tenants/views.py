"""The public site at the base domain: landing page and sign-up."""

from csp.decorators import csp_update
from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from cxsuite.lib.forms import form_add_service_errors

from .formats import country_default_zones, zone_countries
from .forms import PartnerAppForm, SignupForm
from .services import partner_app_register, signup_login_token, tenant_create, tenant_url


def landing(request):
    return render(request, "tenants/landing.html")


def _business_hosts() -> str:
    """CSP source for every business host: the sign-up form redirects to the new one."""
    port = ":*" if settings.BASE_DOMAIN == "localhost" else ""
    return f"{settings.PUBLIC_SCHEME}://*.{settings.BASE_DOMAIN}{port}"


def _address_suffix(request) -> str:
    """What follows the sub-domain in the business's address, as this visitor would type it
    (".localhost:8000" in development)."""
    port = request.get_port()
    default_port = {"http": "80", "https": "443"}[request.scheme]
    return f".{settings.BASE_DOMAIN}" + (f":{port}" if port and port != default_port else "")


@require_http_methods(["GET", "POST"])
@csp_update({"form-action": [_business_hosts()]})
def signup(request):
    form = SignupForm(request.POST or None, address_suffix=_address_suffix(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tenant = tenant_create(
                name=data["name"],
                slug=data["slug"],
                owner_name=data["owner_name"],
                owner_email=data["email"],
                owner_password=data["password"],
                time_zone=data["time_zone"],
                country=data["country"],
                language=data["language"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            # Sessions are per host: the owner is logged in on the business's own host.
            token = signup_login_token(tenant=tenant, email=data["email"])
            path = reverse(
                "accounts:login_signup", urlconf=settings.ROOT_URLCONF, kwargs={"token": token}
            )
            return redirect(tenant_url(tenant, path, request=request))
    zones = {"countries": zone_countries(), "defaults": country_default_zones()}
    return render(request, "tenants/signup.html", {"form": form, "zones": zones})


@require_http_methods(["GET", "POST"])
def partner_app_new(request):
    """A partner registers an app once, here; its client secret is shown on this answer only."""
    form = PartnerAppForm(request.POST or None)
    registered = None
    if request.method == "POST" and form.is_valid():
        try:
            app, secret = partner_app_register(**form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            registered = {"app": app, "client_secret": secret}
            form = PartnerAppForm()
    return render(request, "tenants/partner_app_new.html", {"form": form, "registered": registered})
