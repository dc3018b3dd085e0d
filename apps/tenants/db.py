"""`django.db.connection`, typed as what the settings make it: django-tenants' PostgreSQL
wrapper, which knows the schema (and the tenant) it is set to. Import `connection` from here
where code reads `connection.schema_name` or switches schema; it is the same object."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.db import connection as _connection

if TYPE_CHECKING:
    from django.db.backends.postgresql.base import DatabaseWrapper
    from django_tenants.postgresql_backend.base import FakeTenant

    from .models import Tenant

    class TenantDatabaseWrapper(DatabaseWrapper):
        """What django-tenants adds to PostgreSQL's wrapper (the package ships no types)."""

        schema_name: str
        tenant: Tenant | FakeTenant  # a stand-in holding only the schema name, as set by
        # schema_context and set_schema

        def set_tenant(self, tenant: Tenant, include_public: bool = True) -> None: ...
        def set_schema(
            self, schema_name: str, include_public: bool = True, tenant_type: str | None = None
        ) -> None: ...
        def set_schema_to_public(self) -> None: ...


# cast: the settings' ENGINE is django_tenants.postgresql_backend, which the stubs cannot know;
# the object is Django's proxy, handing each attribute to the current thread's wrapper.
connection = cast("TenantDatabaseWrapper", _connection)
