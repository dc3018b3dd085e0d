"""What the staff pages share."""

from __future__ import annotations

from apps.accounts.choices import Role


def is_partial(request) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


def can_write(request) -> bool:
    return request.user.has_role(Role.STAFF)


def can_manage(request) -> bool:
    return request.user.has_role(Role.MANAGER)


def zone():
    from ..services.common import business_zone

    return business_zone()
