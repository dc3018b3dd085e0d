"""The dashboard's navigation: each module adds its entry when it lands (no placeholders)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from apps.accounts.choices import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    section: str  # a prefix of "<namespace>:<url name>" that marks the entry as current
    min_role: str = Role.VIEWER


NAVIGATION: list[NavItem] = [
    NavItem(_("Home"), "dashboard:home", "home", "dashboard:"),
    NavItem(_("Calendar"), "appointments:calendar", "calendar", "appointments:"),
    NavItem(_("Contacts"), "contacts:contact_list", "contacts", "contacts:"),
    NavItem(_("Segments"), "contacts:segment_list", "segments", "contacts:segment"),
    NavItem(_("Messages"), "messaging:outbox", "messages", "messaging:"),
    NavItem(_("Settings"), "accounts:settings", "settings", "accounts:"),
]


def nav_for(user) -> list[NavItem]:
    return [item for item in NAVIGATION if user.has_role(item.min_role)]


def nav_current(view_name: str) -> str:
    """The section of the entry to highlight: the longest prefix matching the view's name."""
    matches = [item.section for item in NAVIGATION if view_name.startswith(item.section)]
    return max(matches, key=len, default="")
