from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "apps.dashboard"
    label = "dashboard"
    verbose_name = "Dashboard"

    def ready(self) -> None:
        from apps.accounts.registries import SidebarItem, home_cards, sidebar_items

        from .views import GET_STARTED

        home = SidebarItem(
            id="dashboard.home",
            label=_("Home"),
            url_name="dashboard:home",
            icon="home",
            section="dashboard:",
            order=10,
        )
        sidebar_items.register(home.id, home)
        home_cards.register(GET_STARTED.id, GET_STARTED)
