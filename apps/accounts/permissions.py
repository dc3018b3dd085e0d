"""Roles and scopes for the API: viewers and read keys never write."""

from __future__ import annotations

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
