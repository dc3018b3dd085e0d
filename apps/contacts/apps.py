from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "apps.contacts"
    label = "contacts"
    verbose_name = "Contacts"

    def ready(self) -> None:
        from apps.scheduling.registries import due_work_handlers
        from apps.tenants.registries import provisioning_hooks

        from .catalogue import event_types_register
        from .event_types import EVENT_TYPES
        from .events import TIMELINE_RUN, timeline_subscribers_due
        from .services.rfm import RFM_NIGHTLY, rfm_nightly_run, rfm_provision

        event_types_register(EVENT_TYPES)
        provisioning_hooks.register("contacts", rfm_provision)
        due_work_handlers.register(RFM_NIGHTLY, rfm_nightly_run)
        due_work_handlers.register(TIMELINE_RUN, timeline_subscribers_due)
