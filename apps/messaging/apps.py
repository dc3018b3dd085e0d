from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "apps.messaging"
    label = "messaging"
    verbose_name = "Messaging"

    def ready(self) -> None:
        from apps.contacts.catalogue import event_types_register
        from apps.scheduling.registries import due_work_handlers

        from . import checks, signals  # noqa: F401  (the deploy checks, anymail's tracking)
        from .event_types import EVENT_TYPES
        from .registries import purposes
        from .services.purposes import messaging_purposes
        from .services.sending import message_deferred_release, message_fallback_send

        event_types_register(EVENT_TYPES)
        for purpose in messaging_purposes():
            purposes.register(purpose.key, purpose)
        due_work_handlers.register("messaging.deferred", message_deferred_release)
        due_work_handlers.register("messaging.fallback", message_fallback_send)
