from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "apps.messaging"
    label = "messaging"
    verbose_name = "Messaging"

    def ready(self) -> None:
        from . import services, signals  # noqa: F401  (due-work handlers, anymail tracking)
