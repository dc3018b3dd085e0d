from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "apps.messaging"
    label = "messaging"
    verbose_name = "Messaging"

    def ready(self) -> None:
        from apps.accounts.registries import (
            AnalyticsWidget,
            SidebarItem,
            analytics_widgets,
            home_cards,
            sidebar_items,
        )
        from apps.contacts.catalogue import event_types_register
        from apps.contacts.registries import (
            contact_panels,
            merge_hooks,
            privacy_erasers,
            privacy_exporters,
        )
        from apps.scheduling.registries import due_work_handlers

        from . import checks, signals  # noqa: F401  (the deploy checks, anymail's tracking)
        from .event_types import EVENT_TYPES
        from .registries import purposes
        from .services.privacy import messages_erase, messages_export, messages_merge
        from .services.purposes import messaging_purposes
        from .services.sending import message_deferred_release, message_fallback_send
        from .views.conversations import CONTACT_PANEL
        from .views.home import REPLIES

        event_types_register(EVENT_TYPES)
        for purpose in messaging_purposes():
            purposes.register(purpose.key, purpose)
        due_work_handlers.register("messaging.deferred", message_deferred_release)
        due_work_handlers.register("messaging.fallback", message_fallback_send)
        merge_hooks.register("messaging", messages_merge)
        privacy_exporters.register("messages", messages_export)
        privacy_erasers.register("messaging", messages_erase)
        outbox = SidebarItem(
            id="messaging.outbox",
            label=_("Messages"),
            url_name="messaging:outbox",
            icon="messages",
            section="messaging:",
            order=50,
        )
        sidebar_items.register(outbox.id, outbox)
        contact_panels.register(CONTACT_PANEL.id, CONTACT_PANEL)
        home_cards.register(REPLIES.id, REPLIES)
        channels = AnalyticsWidget(
            id="messaging.channels",
            title=_("Messages by channel"),
            order=60,
            compute="apps.messaging.selectors.analytics.channels_widget",
            invalidated_by=("messaging.Message",),
            description=_("Messages sent and answered on e-mail, SMS and voice."),
        )
        analytics_widgets.register(channels.id, channels)
