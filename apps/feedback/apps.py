from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "apps.feedback"
    label = "feedback"
    verbose_name = "Feedback"

    def ready(self) -> None:
        from . import plugs

        plugs.register_all()
