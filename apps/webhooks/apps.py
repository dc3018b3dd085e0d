from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "apps.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from apps.contacts.registries import privacy_erasers, timeline_subscribers
        from apps.scheduling.registries import due_work_handlers

        from . import checks  # noqa: F401 (registers the deploy check)
        from .services.deliveries import SEND_WORK, webhook_deliveries_due, webhooks_on_events
        from .services.privacy import webhook_deliveries_erase

        timeline_subscribers.register("webhooks", webhooks_on_events)
        due_work_handlers.register(SEND_WORK, webhook_deliveries_due)
        privacy_erasers.register("webhooks", webhook_deliveries_erase)
