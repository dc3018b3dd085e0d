from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "apps.tenants"
    label = "tenants"
    verbose_name = "Businesses"

    def ready(self) -> None:
        from . import signals  # noqa: F401
