"""Template helpers of the loyalty pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def has_role(user, role: str) -> bool:
    """`{% if request.user|has_role:"manager" %}`: the user has at least this role."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(role)


@register.filter
def signed(value: int) -> str:
    """A number of points with its sign: +120, -50, 0."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return str(value)
    return f"+{number}" if number > 0 else str(number)
