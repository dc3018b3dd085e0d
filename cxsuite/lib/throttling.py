"""Pagination and rate limits for the API (kept apart from the views so DRF can import them
while it builds its own view classes)."""

from __future__ import annotations

import bisect
import math
import time
from collections.abc import Sequence
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, negotiation, pagination, throttling
from rest_framework.pagination import Cursor

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


class SortedListPagination(CursorPagination):
    """The same pages, links and `page_size` for an answer made in Python rather than by a
    query: a list already sorted by `item_key`, a text unique per item. The cursor holds the
    key of the item it continues from, so an item added or removed meanwhile shifts nothing."""

    def item_key(self, item: Any) -> str:
        return item.sort_key

    def paginate_queryset(self, queryset, request, view=None):
        items: Sequence[Any] = queryset
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        cursor = self.decode_cursor(request)
        keys = [self.item_key(item) for item in items]
        size = self.page_size or len(items)
        if cursor is None or cursor.position is None:
            start, end = 0, size
        elif cursor.reverse:  # the page that ends just before the position
            end = bisect.bisect_left(keys, cursor.position)
            start = max(0, end - size)
        else:  # the page that starts just after it
            start = bisect.bisect_right(keys, cursor.position)
            end = start + size
        page = list(items[start:end])
        self._list_next = keys[end - 1] if page and end < len(items) else None
        self._list_previous = keys[start] if page and start > 0 else None
        return page

    def get_next_link(self) -> str | None:
        if self._list_next is None:
            return None
        return self._link(reverse=False, position=self._list_next)

    def get_previous_link(self) -> str | None:
        if self._list_previous is None:
            return None
        return self._link(reverse=True, position=self._list_previous)

    def _link(self, *, reverse: bool, position: str) -> str:
        # DRF keeps a text position in its cursors (its stubs say int)
        cursor = Cursor(offset=0, reverse=reverse, position=cast(Any, position))
        return self.encode_cursor(cursor)


class NewestFirstPagination(CursorPagination):
    """Histories page by when things happened, not by when they were stored."""

    ordering = ("-occurred_at", "-pk")  # type: ignore[assignment]  # DRF takes a tuple too


# --- rate limits -------------------------------------------------------------------------------


class ClientRateThrottle(throttling.BaseThrottle):
    """A fixed window per API key, partner app (on this business) or staff user; the figures go out as X-RateLimit-* headers."""

    def allow_request(self, request, view) -> bool:
        client_ident = getattr(request.user, "client_ident", None)  # a key or a partner app
        if client_ident is not None:
            ident = client_ident
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
