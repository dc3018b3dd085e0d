"""Activate the time zone and the language the reader expects, for one request only.

The API always speaks UTC (ISO 8601 with offset), whoever calls it. A page is shown in the
member's own zone, else their business's. The active zone belongs to the thread (or the
context), which serves the next request too, often for another business: each request
therefore starts from an explicit zone and ends with none, whatever happened in between.
A streaming response's body is produced after that, in UTC.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django_tenants.utils import get_public_schema_name

from apps.tenants.languages import DEFAULT_LANGUAGE, browser_language, ui_language

PUBLIC_SCHEMA = get_public_schema_name()


def _reader_zone(request) -> dt.tzinfo:
    """The member's zone, else the business's, else UTC (for an unknown name too)."""
    name = getattr(getattr(request, "user", None), "time_zone", "") or getattr(
        getattr(request, "tenant", None), "time_zone", ""
    )
    if not name:
        return dt.UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


class ApiTimezoneMiddleware:
    """UTC for the API's own stack (settings.API_MIDDLEWARE)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.activate(dt.UTC)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class TimezoneMiddleware:
    """The reader's zone on pages, UTC on API paths (the full stack serves them in tests)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(settings.API_PATH_PREFIX):
            zone = dt.UTC
        else:
            zone = _reader_zone(request)
        timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class LanguageMiddleware:
    """The reader's language for one request (apps/tenants/languages.py says whose), then none.

    Like the time zone, the active language belongs to the thread, which serves the next
    request too, often for another business: each request starts from an explicit language
    and ends with none. Sits after AuthenticationMiddleware (it reads the member's choice) and
    replaces Django's LocaleMiddleware (no language in URLs, no language cookie).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        public_site = tenant is None or tenant.schema_name == PUBLIC_SCHEMA
        language = self._language(request, tenant, public_site)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", translation.get_language())
            if public_site:
                patch_vary_headers(response, ("Accept-Language",))
            return response
        finally:
            translation.deactivate()

    @staticmethod
    def _language(request, tenant, public_site: bool) -> str:
        user = getattr(request, "user", None)
        mine = ui_language(getattr(user, "language", "")) if user is not None else None
        if mine:
            return mine
        if public_site:
            return browser_language(request.META.get("HTTP_ACCEPT_LANGUAGE", "")) or (
                DEFAULT_LANGUAGE
            )
        return ui_language(tenant.language) or DEFAULT_LANGUAGE

    def process_view(self, request, view_func, view_args, view_kwargs):
        # A customer's page speaks the business's language to a team member who opens it too.
        tenant = getattr(request, "tenant", None)
        if getattr(view_func, "customer_page", False) and tenant is not None:
            language = ui_language(tenant.language) or DEFAULT_LANGUAGE
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return None
