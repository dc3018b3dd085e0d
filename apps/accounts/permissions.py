"""Who may do what: `role_required` for HTML pages, `HasRole` for the API (viewers never write;
keys and partner apps reach what their scopes cover)."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import Role
from .scopes import resource_of, scope_needed, scopes_allow


class HasRole(BasePermission):
    """Staff: reads need `read_role`, writes `write_role`. API keys and partner apps' tokens:
    the scope of the resource and action (`contacts:read`, `appointments:write`), or a plain
    `read` / `write`; a refusal names the missing scope.

    A view sets `read_role`/`write_role` to raise the bar, `allow_api_keys = False` to serve
    staff sessions only (e.g. managing the keys themselves), and `scope_resource` when its
    resource is not the first segment of its path.
    """

    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        safe = request.method in SAFE_METHODS
        scopes = getattr(request.user, "scopes", None)
        if scopes is not None:  # an API key or a partner app's token
            if not getattr(view, "allow_api_keys", True):
                self.message = _("Only a team member's session can use this.")
                return False
            resource = getattr(view, "scope_resource", None) or resource_of(request.path)
            if scopes_allow(scopes, resource, write=not safe):
                return True
            needed = scope_needed(resource or "", write=not safe)
            self.message = _("This credential lacks the scope %(scope)s.") % {"scope": needed}
            return False
        user = request.user
        if not (user and user.is_authenticated):
            return False
        needed = (
            getattr(view, "read_role", Role.VIEWER)
            if safe
            else getattr(view, "write_role", Role.STAFF)
        )
        return user.has_role(needed)


def role_required(role: str):
    """Log in first; then refuse (403) anyone whose role is below `role`."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect(f"{reverse('accounts:login')}?next={request.get_full_path()}")
            if not request.user.has_role(role):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
