from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "apps.appointments"
    label = "appointments"
    verbose_name = "Appointments"

    def ready(self) -> None:
        from . import services  # noqa: F401  (due-work handlers, inbound confirmations)
