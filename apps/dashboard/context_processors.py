"""What the dashboard shell needs on every page: the business, its colour and the menu."""

from django.db import connection

from .navigation import nav_current, nav_for


def shell(request) -> dict:
    tenant = getattr(request, "tenant", None)
    if tenant is None or connection.schema_name == "public":
        return {}
    user = getattr(request, "user", None)
    current = nav_current(getattr(getattr(request, "resolver_match", None), "view_name", "") or "")
    return {
        "business": tenant,
        "nav_items": nav_for(user) if user is not None and user.is_authenticated else [],
        "nav_current": current,
    }
