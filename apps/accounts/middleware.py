"""Activate the time zone the reader expects, for one request only.

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
from django.utils import timezone


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
