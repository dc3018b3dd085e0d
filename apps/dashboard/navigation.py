"""The dashboard's navigation, read from the sidebar items every module registers in its
`ready()` (apps/accounts/registries.py): a module's entry appears once its app is installed."""

from __future__ import annotations

from apps.accounts.registries import SidebarItem, sidebar_items, visible_to


def nav_for(user) -> list[SidebarItem]:
    return visible_to(user, sidebar_items.values())


def nav_current(view_name: str) -> str:
    """The section of the entry to highlight: the longest prefix matching the view's name."""
    matches = [
        item.section for item in sidebar_items.values() if view_name.startswith(item.section)
    ]
    return max(matches, key=len, default="")
