"""Who may do what: `role_required` for HTML pages, `HasRole` for the API (viewers and read
keys never write)."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import ApiKey, ApiScope, Role


class HasRole(BasePermission):
    """Reads need `read_role` (or a read key); writes need `write_role` (or a write key).

    A view sets `read_role`/`write_role` to raise the bar, and `allow_api_keys = False` to
    serve staff sessions only (e.g. managing the keys themselves).
    """

    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        safe = request.method in SAFE_METHODS
        if isinstance(request.auth, ApiKey):
            if not getattr(view, "allow_api_keys", True):
                return False
            return request.auth.has_scope(ApiScope.READ if safe else ApiScope.WRITE)
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
