from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "apps.contacts"
    label = "contacts"
    verbose_name = "Contacts"

    def ready(self) -> None:
        from apps.accounts.registries import (
            AnalyticsWidget,
            SidebarItem,
            analytics_widgets,
            home_cards,
            sidebar_items,
        )
        from apps.scheduling.registries import due_work_handlers
        from apps.tenants.registries import provisioning_hooks

        from .catalogue import event_types_register
        from .event_types import EVENT_TYPES
        from .events import TIMELINE_RUN, timeline_subscribers_due
        from .registries import timeline_subscribers
        from .services.membership import (
            MEMBERSHIP_REFRESH,
            segment_memberships_due,
            segment_memberships_on_events,
        )
        from .services.rfm import RFM_NIGHTLY, rfm_nightly_run, rfm_provision
        from .views.home import TASKS

        event_types_register(EVENT_TYPES)
        provisioning_hooks.register("contacts", rfm_provision)
        due_work_handlers.register(RFM_NIGHTLY, rfm_nightly_run)
        due_work_handlers.register(TIMELINE_RUN, timeline_subscribers_due)
        due_work_handlers.register(MEMBERSHIP_REFRESH, segment_memberships_due)
        timeline_subscribers.register("contacts.segments", segment_memberships_on_events)
        for item in (
            SidebarItem(
                id="contacts.contacts",
                label=_("Contacts"),
                url_name="contacts:contact_list",
                icon="contacts",
                section="contacts:",
                order=30,
            ),
            SidebarItem(
                id="contacts.segments",
                label=_("Segments"),
                url_name="contacts:segment_list",
                icon="segments",
                section="contacts:segment",
                order=40,
            ),
        ):
            sidebar_items.register(item.id, item)
        home_cards.register(TASKS.id, TASKS)
        for widget in (
            AnalyticsWidget(
                id="contacts.customers",
                title=_("Customers"),
                order=10,
                compute="apps.contacts.selectors.analytics.customers_widget",
                # completed visits count too: appointments' changes drop the figures as well.
                # Not every contact edit: an erasure shows once the cache expires (5 minutes).
                invalidated_by=("contacts.Transaction", "appointments.Appointment"),
                description=_(
                    "Customers with a purchase or a completed visit, and how many come back."
                ),
            ),
            AnalyticsWidget(
                id="contacts.rfm",
                title=_("RFM segments"),
                order=20,
                compute="apps.contacts.selectors.analytics.rfm_widget",
                # the nightly run rewrites the scores in SQL: the cache's time limit covers it
                invalidated_by=("contacts.RfmScore",),
                cache_seconds=3600,
                description=_("Customers by how recently, how often and how much they buy."),
            ),
        ):
            analytics_widgets.register(widget.id, widget)
