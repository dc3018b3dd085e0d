"""The base domain: landing page, sign-up, partner apps' registration, the operator's admin, health."""

from django.contrib import admin
from django.urls import path

from apps.tenants import views as tenant_views
from cxsuite.health import healthz

# as on a business's host (urls_tenant)
handler404 = "cxsuite.lib.api.not_found"
handler500 = "cxsuite.lib.api.server_error"

urlpatterns = [
    path("", tenant_views.landing, name="landing"),
    path("signup/", tenant_views.signup, name="signup"),
    path("partners/apps/new/", tenant_views.partner_app_new, name="partner_app_new"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]
