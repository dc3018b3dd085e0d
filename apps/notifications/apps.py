from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from apps.contacts.registries import timeline_subscribers
        from apps.scheduling.registries import due_work_handlers

        from .services import EMAIL_WORK, notification_emails_due, notifications_on_events

        timeline_subscribers.register("notifications", notifications_on_events)
        due_work_handlers.register(EMAIL_WORK, notification_emails_due)
