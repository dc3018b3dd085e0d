"""What an API key or a partner app may reach: scopes per resource and action.

The resources are the first segments of the paths under /api/v1/ (`contacts`, `appointments`,
`custom-fields`, ...), read from the URL configuration, so a new app's resources get their
scopes as soon as its viewsets are on the router. Each resource has `<resource>:read` and
`<resource>:write` (where any of its routes takes a write); `<resource>:write` includes
reading it. The plain scopes of the first keys
stay valid: `read` is every `:read`, `write` is everything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.translation import gettext as _

READ = "read"
WRITE = "write"
PLAIN = (READ, WRITE)
# Paths any authenticated client may read, whatever its scopes: who am I.
OPEN_RESOURCES = frozenset({"me"})
_SEGMENT = re.compile(r"[a-z][a-z0-9-]*")


def _first_segment(pattern: str) -> str | None:
    match = _SEGMENT.match(pattern.lstrip("^"))
    return match.group(0) if match else None


WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})


def _writes(pattern: URLPattern) -> bool:
    """Whether the view behind a route takes a write (a viewset's mapped actions, or an
    APIView's handlers)."""
    callback = pattern.callback
    actions = getattr(callback, "actions", None)
    if actions is not None:
        return bool(WRITE_METHODS & set(actions))
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    return view_class is None or any(hasattr(view_class, m) for m in WRITE_METHODS)


@cache
def _api_routes() -> dict[str, bool]:
    """Each resource of the API (the first path segment of a route under the API's prefix in
    the business's URL configuration) and whether any of its routes takes a write."""
    prefix = settings.API_PATH_PREFIX.strip("/") + "/"
    found: dict[str, bool] = {}

    def walk(entries, resource: str | None) -> None:
        for entry in entries:
            segment = resource or _first_segment(str(entry.pattern))
            if not segment or segment in OPEN_RESOURCES:
                continue
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, segment)
            elif isinstance(entry, URLPattern):
                found[segment] = found.get(segment, False) or _writes(entry)

    for entry in get_resolver(settings.ROOT_URLCONF).url_patterns:
        if isinstance(entry, URLResolver) and str(entry.pattern) == prefix:
            walk(entry.url_patterns, None)
    return found


def api_resources() -> tuple[str, ...]:
    """Every resource of the API, sorted."""
    return tuple(sorted(_api_routes()))


def all_scopes() -> list[str]:
    """The plain scopes, then each resource's read, and its write where it takes writes."""
    routes = _api_routes()
    return [
        *PLAIN,
        *(f"{r}:{a}" for r in sorted(routes) for a in ((READ, WRITE) if routes[r] else (READ,))),
    ]


def scope_label(scope: str) -> str:
    """What a scope allows, in words (the key form, the owner's consent)."""
    if scope == READ:
        return _("Read everything")
    if scope == WRITE:
        return _("Read and write everything")
    resource, _sep, action = scope.partition(":")
    words = resource.replace("-", " ")
    if action == WRITE:
        return _("Read and change %(resource)s") % {"resource": words}
    return _("Read %(resource)s") % {"resource": words}


def scope_choices() -> list[tuple[str, str]]:
    return [(scope, f"{scope_label(scope)} ({scope})") for scope in all_scopes()]


def scopes_unknown(scopes: Iterable[str]) -> list[str]:
    valid = set(all_scopes())
    return sorted(set(scopes) - valid)


def resource_of(path: str) -> str | None:
    """The resource a request path under the API's prefix is about."""
    prefix = settings.API_PATH_PREFIX
    if not path.startswith(prefix):
        return None
    return _first_segment(path[len(prefix) :])


def scope_needed(resource: str, *, write: bool) -> str:
    return f"{resource}:{WRITE if write else READ}"


def scopes_allow(scopes: Iterable[str], resource: str | None, *, write: bool) -> bool:
    """Whether `scopes` cover reading (or writing) `resource`."""
    granted = set(scopes)
    if WRITE in granted or (not write and READ in granted):
        return True
    if resource is None or resource in OPEN_RESOURCES:
        return not write
    if scope_needed(resource, write=True) in granted:
        return True
    return not write and scope_needed(resource, write=False) in granted


def scopes_expanded(scopes: Iterable[str]) -> list[str]:
    """The resource scopes a set of scopes amounts to (what a page shows a person)."""
    return [s for s in all_scopes() if ":" in s and _covers(scopes, s)]


def _covers(scopes: Iterable[str], scope: str) -> bool:
    resource, action = scope.split(":", 1)
    return scopes_allow(scopes, resource, write=action == WRITE)
