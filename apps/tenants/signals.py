"""Keep the in-process host -> tenant map honest when a tenant or domain changes."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .middleware import tenant_cache_clear
from .models import Domain, Tenant, TenantDatabase


@receiver([post_save, post_delete], sender=Tenant)
@receiver([post_save, post_delete], sender=Domain)
@receiver([post_save, post_delete], sender=TenantDatabase)
def _tenant_changed(sender, **kwargs) -> None:
    tenant_cache_clear()
