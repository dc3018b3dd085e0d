from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "apps.campaigns"
    label = "campaigns"
    verbose_name = "Campaigns"

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
            merge_hooks,
            privacy_erasers,
            privacy_exporters,
            segment_conditions,
            timeline_subscribers,
        )
        from apps.messaging.registries import (
            html_builders,
            marketing_guards,
            message_listeners,
            preference_topics,
            purposes,
            sender_names,
        )
        from apps.scheduling.registries import due_work_handlers

        from . import services
        from .event_types import EVENT_TYPES
        from .html import campaign_email_html, campaign_sender_name
        from .preferences import CampaignTopics
        from .privacy import recipients_erase, recipients_export, recipients_merge
        from .purposes import campaign_purpose
        from .segments import campaign_segment_conditions

        event_types_register(EVENT_TYPES)
        purpose = campaign_purpose()
        purposes.register(purpose.key, purpose)
        html_builders.register(services.RELATED_TYPE, campaign_email_html)
        preference_topics.register("campaigns", CampaignTopics())
        sender_names.register(services.RELATED_TYPE, campaign_sender_name)
        marketing_guards.register("campaigns", services.suppressed_for)
        message_listeners.register("campaigns", services.recipient_message_event)
        due_work_handlers.register(services.START_WORK, services.campaign_due_start)
        due_work_handlers.register(services.BATCH_WORK, services.campaign_due_batch)
        due_work_handlers.register(services.WINNER_WORK, services.campaign_due_winner)
        due_work_handlers.register(services.DELIVERY_WORK, services.campaign_due_delivery)
        due_work_handlers.register(services.DEADLINE_WORK, services.campaign_due_deadline)
        item = SidebarItem(
            id="campaigns.list",
            label=_("Campaigns"),
            url_name="campaigns:campaign_list",
            icon="campaign",
            section="campaigns:",
            order=45,
        )
        sidebar_items.register(item.id, item)
        widget = AnalyticsWidget(
            id="campaigns.results",
            title=_("Campaigns"),
            compute="apps.campaigns.selectors.analytics.results_widget",
            order=60,
            invalidated_by=("campaigns.Campaign", "campaigns.Recipient"),
            description=_(
                "What the campaigns sent in the period achieved: deliveries, people's opens "
                "and clicks, conversions, unsubscribes and bounces, per campaign."
            ),
        )
        analytics_widgets.register(widget.id, widget)
        for condition in campaign_segment_conditions():
            segment_conditions.register(condition.key, condition)
        timeline_subscribers.register("campaigns", services.campaigns_on_events)
        merge_hooks.register("campaigns", recipients_merge)
        privacy_exporters.register("campaigns", recipients_export)
        privacy_erasers.register("campaigns", recipients_erase)
