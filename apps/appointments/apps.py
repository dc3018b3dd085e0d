from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "apps.appointments"
    label = "appointments"
    verbose_name = "Appointments"

    def ready(self) -> None:
        from apps.contacts.catalogue import event_types_register
        from apps.contacts.registries import merge_hooks, privacy_erasers, privacy_exporters
        from apps.messaging.registries import attachment_builders, confirm_handlers, purposes
        from apps.scheduling.registries import due_work_handlers
        from apps.tenants.registries import provisioning_hooks

        from .event_types import EVENT_TYPES
        from .services.ics import appointment_invite
        from .services.privacy import (
            appointments_erase,
            appointments_export,
            appointments_merge,
        )
        from .services.purposes import appointment_purposes
        from .services.recall import RECALL, recall_daily_run, recall_provision
        from .services.reminders import (
            REMINDER,
            appointment_confirm_by_reply,
            reminder_due_send,
        )

        event_types_register(EVENT_TYPES)
        for purpose in appointment_purposes():
            purposes.register(purpose.key, purpose)
        provisioning_hooks.register("appointments", recall_provision)
        due_work_handlers.register(REMINDER, reminder_due_send)
        due_work_handlers.register(RECALL, recall_daily_run)
        attachment_builders.register("appointment", appointment_invite)
        confirm_handlers.register("appointments", appointment_confirm_by_reply)
        merge_hooks.register("appointments", appointments_merge)
        privacy_exporters.register("appointments", appointments_export)
        privacy_erasers.register("appointments", appointments_erase)
