from django.apps import AppConfig


class ScaleAppConfig(AppConfig):
    """The scale bench's stand-in for a deploy that adds one migration to every business."""

    name = "bench.scaleapp"
    label = "scaleapp"
    default_auto_field = "django.db.models.BigAutoField"
