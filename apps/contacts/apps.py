from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "apps.contacts"
    label = "contacts"
    verbose_name = "Contacts"

    def ready(self) -> None:
        from apps.tenants.services import PROVISIONING_HOOKS

        from . import services  # noqa: F401  (registers due-work handlers and hooks)

        if _schedule_rfm not in PROVISIONING_HOOKS:
            PROVISIONING_HOOKS.append(_schedule_rfm)


def _schedule_rfm(tenant) -> None:
    """Every new business gets its nightly RFM recompute."""
    from .services.rfm import rfm_schedule_nightly

    rfm_schedule_nightly()
