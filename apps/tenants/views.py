"""The public site at the base domain: landing page and sign-up."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cxsuite.lib.forms import form_add_service_errors

from .forms import SignupForm
from .services import tenant_create, tenant_url


def landing(request):
    return render(request, "tenants/landing.html")


@require_http_methods(["GET", "POST"])
def signup(request):
    form = SignupForm(request.POST or None, base_domain=settings.BASE_DOMAIN)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tenant = tenant_create(
                name=data["name"], slug=data["slug"], owner_name=data["owner_name"],
                owner_email=data["email"], owner_password=data["password"],
                time_zone=data["time_zone"], country=data["country"],
            )  # fmt: skip
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            return redirect(tenant_url(tenant, f"/login/?welcome=1&email={data['email']}"))
    return render(request, "tenants/signup.html", {"form": form})
