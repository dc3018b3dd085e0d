from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "apps.messaging"
    label = "messaging"
    verbose_name = "Messaging"

    def ready(self) -> None:
        from apps.accounts.registries import SidebarItem, sidebar_items
        from apps.scheduling.registries import due_work_handlers

        from . import signals  # noqa: F401  (anymail's tracking signal)
        from .registries import purposes
        from .services.purposes import messaging_purposes
        from .services.sending import message_deferred_release, message_fallback_send

        for purpose in messaging_purposes():
            purposes.register(purpose.key, purpose)
        due_work_handlers.register("messaging.deferred", message_deferred_release)
        due_work_handlers.register("messaging.fallback", message_fallback_send)
        outbox = SidebarItem(
            id="messaging.outbox",
            label=_("Messages"),
            url_name="messaging:outbox",
            icon="messages",
            section="messaging:",
            order=50,
        )
        sidebar_items.register(outbox.id, outbox)
