from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from apps.tenants.registries import provisioning_hooks

        from . import checks  # noqa: F401  (registers the deploy checks)
        from .registries import SidebarItem, sidebar_items
        from .services import owner_provision

        provisioning_hooks.register("accounts", owner_provision)
        settings = SidebarItem(
            id="accounts.settings",
            label=_("Settings"),
            url_name="accounts:settings",
            icon="settings",
            section="accounts:",
            order=90,
        )
        sidebar_items.register(settings.id, settings)
