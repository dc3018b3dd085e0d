from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from apps.tenants.registries import provisioning_hooks

        from . import checks  # noqa: F401  (registers the deploy checks)
        from .services import owner_provision

        provisioning_hooks.register("accounts", owner_provision)
