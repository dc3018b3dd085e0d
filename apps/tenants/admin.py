"""The operator's view of the businesses (public schema only)."""

from django.contrib import admin
from django_tenants.admin import TenantAdminMixin

from .models import Domain, SchemaState, Tenant, TenantDatabase, TenantWakeup


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Tenant)
class TenantAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "schema_name", "plan", "country", "time_zone", "created")
    list_filter = ("plan", "country")
    search_fields = ("name", "slug", "schema_name")
    readonly_fields = ("schema_name", "created")
    inlines = [DomainInline]


@admin.register(TenantWakeup)
class TenantWakeupAdmin(admin.ModelAdmin):
    list_display = ("tenant", "next_due_at", "last_swept_at")
    ordering = ("next_due_at",)


@admin.register(SchemaState)
class SchemaStateAdmin(admin.ModelAdmin):
    """Where each schema's migrations stand; `migrate_businesses` retries the failed ones."""

    list_display = ("schema_name", "status", "fingerprint", "seconds", "updated_at")
    list_filter = ("status",)
    search_fields = ("schema_name",)
    readonly_fields = ("schema_name", "fingerprint", "status", "error", "seconds", "updated_at")


@admin.register(TenantDatabase)
class TenantDatabaseAdmin(admin.ModelAdmin):
    """The businesses living outside the home database (moved with `business_move`)."""

    list_display = ("tenant", "alias")
    list_filter = ("alias",)
    readonly_fields = ("tenant", "alias")
