"""One WSGI application, two middleware stacks: the API under /api/v1/ skips what only HTML
pages need (static files, CSP, locale, messages, clickjacking, htmx, the reader's time zone),
which is most of the cost of a small JSON request; it answers in UTC.

Both stacks share the URL confs, the tenant routing, sessions and authentication, so an
endpoint behaves the same whichever stack serves it (the test client uses the full one).
"""

from __future__ import annotations

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler


class MiddlewareStackHandler(WSGIHandler):
    """A WSGI handler built with its own middleware list instead of settings.MIDDLEWARE."""

    def __init__(self, middleware: list[str]):
        self._middleware = middleware
        super().__init__()

    def load_middleware(self, is_async: bool = False) -> None:
        full_stack = settings.MIDDLEWARE
        settings.MIDDLEWARE = self._middleware  # read once, at start-up
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full_stack


def split_application():
    pages = WSGIHandler()
    api = MiddlewareStackHandler(settings.API_MIDDLEWARE)
    prefix = settings.API_PATH_PREFIX

    def application(environ, start_response):
        handler = api if environ.get("PATH_INFO", "").startswith(prefix) else pages
        return handler(environ, start_response)

    return application
