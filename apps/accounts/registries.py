"""What every module adds to the staff's shell (see cxsuite/lib/registry.py): its entries in the
sidebar and its cards on the home page. Each carries the least role that sees it and an order;
the dashboard draws what a user may see, lowest order first (equal orders keep the order the
apps registered in).

    # apps/contacts/apps.py
    def ready(self):
        from apps.accounts.registries import SidebarItem, sidebar_items

        segments = SidebarItem(
            id="contacts.segments",
            label=_("Segments"),
            url_name="contacts:segment_list",
            icon="segments",
            section="contacts:segment",
            order=40,
        )
        sidebar_items.register(segments.id, segments)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar

from cxsuite.lib.registry import Registry

from .models import Role

if TYPE_CHECKING:
    from .models import User


@dataclass(frozen=True, kw_only=True)
class SidebarItem:
    """A menu entry: its page, its icon (a name `components/_icon.html` draws) and the prefix
    of view names (`<namespace>:<url name>`) that mark it as the current entry."""

    id: str
    label: str
    url_name: str
    icon: str
    section: str
    order: int = 100
    min_role: str = Role.VIEWER


@dataclass(frozen=True, kw_only=True)
class HomeCard:
    """A card of the home page. The page draws its title and htmx loads the card from
    `url_name` (a URL without arguments, answering the partial `_home_<card>.html`), so a slow
    card never holds the page. The card's view checks `min_role` itself."""

    id: str
    title: str
    url_name: str
    order: int = 100
    min_role: str = Role.VIEWER

    @property
    def dom_id(self) -> str:
        return "home-" + self.id.replace(".", "-").replace("_", "-")


@dataclass(frozen=True, kw_only=True)
class AnalyticsWidget:
    """A widget of the analytics dashboard (cxsuite/lib/analytics.py). `compute` is the dotted
    path of `compute(period: Period) -> WidgetData`, run in the business's schema; the
    dashboard caches its answer per business, widget and period, and drops it when a row of a
    model in `invalidated_by` (app labels, `appointments.Appointment`) is saved or deleted, or
    after `cache_seconds`."""

    id: str
    title: str
    compute: str
    order: int = 100
    min_role: str = Role.VIEWER
    invalidated_by: tuple[str, ...] = ()
    cache_seconds: int = 300
    description: str = ""

    @property
    def dom_id(self) -> str:
        return "widget-" + self.id.replace(".", "-").replace("_", "-")


sidebar_items: Registry[SidebarItem] = Registry(
    "accounts.sidebar_items",
    "Keyed by the item's id (`contacts.segments`). A `SidebarItem` is a page in the main menu, "
    "shown to staff with at least its role, placed by its order.",
)
home_cards: Registry[HomeCard] = Registry(
    "accounts.home_cards",
    "Keyed by the card's id (`appointments.today`). A `HomeCard` is a card of the home page "
    "that loads from its own URL in the owning app, shown to staff with at least its role, "
    "placed by its order.",
)
analytics_widgets: Registry[AnalyticsWidget] = Registry(
    "accounts.analytics_widgets",
    "Keyed by the widget's id (`feedback.scores`). An `AnalyticsWidget` is a block of figures "
    "of the analytics dashboard, computed by its module for a period and drawn, cached and "
    "exported as CSV by the dashboard, shown to staff with at least its role.",
)


class Placed(Protocol):
    order: int
    min_role: str


Entry = TypeVar("Entry", bound=Placed)


def visible_to(user: User, entries: Iterable[Entry]) -> list[Entry]:
    """The entries `user` may see, lowest order first (sidebar items, home cards, and any
    entry with an `order` and a `min_role`, such as the contact page's panels)."""
    return sorted(
        (entry for entry in entries if user.has_role(entry.min_role)), key=lambda e: e.order
    )


__all__ = [
    "AnalyticsWidget",
    "HomeCard",
    "SidebarItem",
    "home_cards",
    "analytics_widgets",
    "sidebar_items",
    "visible_to",
]
