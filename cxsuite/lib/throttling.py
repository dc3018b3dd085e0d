"""Pagination and rate limits for the API (kept apart from the views so DRF can import them
while it builds its own view classes)."""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, negotiation, pagination, throttling

# --- content negotiation --------------------------------------------------------------------


class SingleRendererNegotiation(negotiation.DefaultContentNegotiation):
    """A view with one renderer (JSON, for every API view) needs no Accept parsing."""

    def select_renderer(self, request, renderers, format_suffix=None):
        if len(renderers) == 1 and not format_suffix:
            return renderers[0], renderers[0].media_type
        return super().select_renderer(request, renderers, format_suffix)


# --- pagination --------------------------------------------------------------------------------


class CursorPagination(pagination.CursorPagination):
    """Stable pages with `next`/`previous` links; `?page_size=` up to 200."""

    ordering = "-pk"
    page_size_query_param = "page_size"
    max_page_size = 200
    # lazy, so each request reads it in its own language (DRF's stubs want a plain str)
    invalid_cursor_message = _(  # type: ignore[assignment]
        "This cursor is not valid: follow the next or previous link."
    )

    def decode_cursor(self, request):
        """A bad cursor is bad input (400 naming `cursor`), not a missing page."""
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            raise exceptions.ValidationError(
                {self.cursor_query_param: [self.invalid_cursor_message]}
            ) from None


class NewestFirstPagination(CursorPagination):
    """Histories page by when things happened, not by when they were stored."""

    ordering = ("-occurred_at", "-pk")  # type: ignore[assignment]  # DRF takes a tuple too


# --- rate limits -------------------------------------------------------------------------------


class ClientRateThrottle(throttling.BaseThrottle):
    """A fixed window per API key (or staff user); the figures go out as X-RateLimit-* headers."""

    def allow_request(self, request, view) -> bool:
        if request.auth is not None and hasattr(request.auth, "prefix"):
            ident = f"key:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        limit = settings.API_RATE_LIMIT
        window = settings.API_RATE_WINDOW_SECONDS
        now = time.time()
        window_start = int(now // window) * window
        key = f"ratelimit:{ident}:{window_start}"
        try:
            count = cache.incr(key)  # one round trip for every request but a window's first
        except ValueError:
            count = 1 if cache.add(key, 1, timeout=window + 1) else cache.incr(key)
        reset = window_start + window
        self.wait_seconds = max(1, math.ceil(reset - now))
        request._request.rate_limit = (limit, max(0, limit - count), int(reset))
        return count <= limit

    def wait(self) -> float:
        return self.wait_seconds


class RateLimitHeadersMiddleware:
    """Copy the throttle's figures onto every API response, successful or not."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        figures = getattr(request, "rate_limit", None)
        if figures:
            limit, remaining, reset = figures
            response["X-RateLimit-Limit"] = str(limit)
            response["X-RateLimit-Remaining"] = str(remaining)
            response["X-RateLimit-Reset"] = str(reset)
        return response
