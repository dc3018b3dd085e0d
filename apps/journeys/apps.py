from django.apps import AppConfig


class JourneysConfig(AppConfig):
    name = "apps.journeys"
    label = "journeys"
    verbose_name = "Journeys"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from apps.accounts.registries import (
            AnalyticsWidget,
            SidebarItem,
            analytics_widgets,
            sidebar_items,
        )
        from apps.contacts.catalogue import event_types_register
        from apps.contacts.registries import (
            contact_panels,
            merge_hooks,
            privacy_erasers,
            privacy_exporters,
            segment_conditions,
            timeline_subscribers,
        )
        from apps.messaging.registries import purposes
        from apps.scheduling.registries import due_work_handlers

        from .conditions import journey_segment_conditions
        from .event_types import EVENT_TYPES
        from .registries import step_types
        from .services.advance import journeys_advance_due
        from .services.engine import ADVANCE, journeys_on_events
        from .services.journeys import DATES, journeys_dates_due
        from .services.privacy import journeys_erase, journeys_export, journeys_merge
        from .step_loyalty import POINTS, VOUCHER
        from .step_webhook import WEBHOOK
        from .steps import builtin_steps_register
        from .templates_msg import JOURNEY_PURPOSE, JOURNEY_SERVICE_PURPOSE
        from .views import CONTACT_PANEL

        event_types_register(EVENT_TYPES)
        builtin_steps_register()
        step_types.register(POINTS.key, POINTS)
        step_types.register(VOUCHER.key, VOUCHER)
        step_types.register(WEBHOOK.key, WEBHOOK)
        for purpose in (JOURNEY_PURPOSE, JOURNEY_SERVICE_PURPOSE):
            purposes.register(purpose.key, purpose)
        due_work_handlers.register(ADVANCE, journeys_advance_due)
        due_work_handlers.register(DATES, journeys_dates_due)
        timeline_subscribers.register("journeys", journeys_on_events)
        merge_hooks.register("journeys", journeys_merge)
        privacy_exporters.register("journeys", journeys_export)
        privacy_erasers.register("journeys", journeys_erase)
        contact_panels.register(CONTACT_PANEL.id, CONTACT_PANEL)
        for condition in journey_segment_conditions():
            segment_conditions.register(condition.key, condition)
        item = SidebarItem(
            id="journeys.journeys",
            label=_("Journeys"),
            url_name="journeys:journey_list",
            icon="journeys",
            section="journeys:",
            order=45,
        )
        sidebar_items.register(item.id, item)
        widget = AnalyticsWidget(
            id="journeys.conversions",
            title=_("Journeys"),
            compute="apps.journeys.selectors.analytics.compute",
            order=70,
            invalidated_by=("journeys.Enrollment",),
            description=_("Enrolments, goals reached and the lift over the holdout"),
        )
        analytics_widgets.register(widget.id, widget)
