"""The public site at the base domain: landing page and sign-up."""

from urllib.parse import urlencode

from csp.decorators import csp_update
from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cxsuite.lib.forms import form_add_service_errors

from .forms import SignupForm
from .services import tenant_create, tenant_url


def landing(request):
    return render(request, "tenants/landing.html")


def _business_hosts() -> str:
    """CSP source for every business host: the sign-up form redirects to the new one."""
    port = ":*" if settings.BASE_DOMAIN == "localhost" else ""
    return f"{settings.PUBLIC_SCHEME}://*.{settings.BASE_DOMAIN}{port}"


@require_http_methods(["GET", "POST"])
@csp_update({"form-action": [_business_hosts()]})
def signup(request):
    form = SignupForm(request.POST or None, base_domain=settings.BASE_DOMAIN)
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
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            query = urlencode({"welcome": 1, "email": data["email"]})
            return redirect(tenant_url(tenant, f"/login/?{query}", request=request))
    return render(request, "tenants/signup.html", {"form": form})
