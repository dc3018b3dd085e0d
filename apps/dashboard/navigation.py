"""The dashboard's navigation: each module adds its entry when it lands (no placeholders)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    section: str  # matched against the URL namespace to highlight the current entry
    min_role: str = Role.VIEWER


NAVIGATION: list[NavItem] = [
    NavItem(_("Home"), "dashboard:home", "home", "dashboard"),
    NavItem(_("Settings"), "accounts:settings", "settings", "accounts"),
]


def nav_for(user) -> list[NavItem]:
    return [item for item in NAVIGATION if user.has_role(item.min_role)]
