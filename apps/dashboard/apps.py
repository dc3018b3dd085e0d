from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "apps.dashboard"
    label = "dashboard"
    verbose_name = "Dashboard"

    def ready(self) -> None:
        from apps.accounts.registries import (
            AnalyticsWidget,
            SidebarItem,
            analytics_widgets,
            home_cards,
            sidebar_items,
        )
        from apps.scheduling.registries import due_work_handlers

        from .analytics import widget_signals_connect
        from .services import WEEKLY_SUMMARY, weekly_summary_due
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
        activity = AnalyticsWidget(
            id="dashboard.activity",
            title=_("Activity"),
            compute="apps.dashboard.selectors.activity_widget",
            order=900,
            invalidated_by=("contacts.TimelineEvent",),
            description=_("Everything recorded on your customers' timelines, per day."),
        )
        analytics_widgets.register(activity.id, activity)
        due_work_handlers.register(WEEKLY_SUMMARY, weekly_summary_due)
        # Last of the apps (TENANT_APPS): every module has registered its widgets by now.
        widget_signals_connect()
