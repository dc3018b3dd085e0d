from django.apps import AppConfig


class LoyaltyConfig(AppConfig):
    name = "apps.loyalty"
    label = "loyalty"
    verbose_name = "Loyalty"

    def ready(self) -> None:
        from apps.contacts.catalogue import event_types_register
        from apps.contacts.registries import (
            merge_hooks,
            privacy_erasers,
            privacy_exporters,
            segment_conditions,
            timeline_subscribers,
        )
        from apps.scheduling.registries import due_work_handlers
        from apps.tenants.registries import provisioning_hooks

        from .event_types import EVENT_TYPES
        from .selectors.segments import loyalty_segment_conditions
        from .services.nightly import NIGHTLY, loyalty_nightly_run, loyalty_provision
        from .services.privacy import loyalty_erase, loyalty_export, loyalty_merge
        from .services.subscriber import loyalty_on_events

        event_types_register(EVENT_TYPES)
        provisioning_hooks.register("loyalty", loyalty_provision)
        due_work_handlers.register(NIGHTLY, loyalty_nightly_run)
        timeline_subscribers.register("loyalty", loyalty_on_events)
        merge_hooks.register("loyalty", loyalty_merge)
        privacy_exporters.register("loyalty", loyalty_export)
        privacy_erasers.register("loyalty", loyalty_erase)
        for condition in loyalty_segment_conditions():
            segment_conditions.register(condition.key, condition)

        from .ui import ui_register

        ui_register()

        from django.utils.translation import gettext_lazy as _

        from apps.accounts.registries import AnalyticsWidget, analytics_widgets

        from .selectors.analytics import WIDGET_ID

        analytics_widgets.register(
            WIDGET_ID,
            AnalyticsWidget(
                id=WIDGET_ID,
                title=_("Loyalty program"),
                compute="apps.loyalty.selectors.analytics.compute",
                order=50,
                invalidated_by=("loyalty.Member", "loyalty.LedgerEntry", "loyalty.Tier"),
                description=_(
                    "Members, points outstanding and their value, points earned, redeemed "
                    "and expired, and members per tier."
                ),
            ),
        )
