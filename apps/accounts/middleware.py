"""Activate the time zone the reader expects: their own, else their business's.

The API always speaks UTC (ISO 8601 with offset), whoever calls it.
"""

import zoneinfo

from django.conf import settings
from django.utils import timezone


class TimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(settings.API_PATH_PREFIX):
            timezone.deactivate()
            return self.get_response(request)
        name = getattr(getattr(request, "user", None), "time_zone", "") or getattr(
            getattr(request, "tenant", None), "time_zone", ""
        )
        try:
            timezone.activate(zoneinfo.ZoneInfo(name)) if name else timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        return self.get_response(request)
