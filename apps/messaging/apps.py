from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "apps.messaging"
    label = "messaging"
    verbose_name = "Messaging"

    def ready(self) -> None:
        # due-work handlers, anymail tracking, the deploy checks
        from . import checks, services, signals  # noqa: F401
