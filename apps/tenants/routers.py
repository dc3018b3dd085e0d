"""django-tenants' migration router, for every database that holds businesses.

Its own router lets migrations run on the alias `default` only. A business database's
wrapper keeps its own alias (`second`, ...) while it stands in for `default`
(`apps.tenants.databases`), so this one decides for any alias of `DATABASES` the same way:
shared apps in the public schema, tenant apps in a business's schema. django-tenants insists
on finding its router in the setting, so it stays there, after this one.
"""

from __future__ import annotations

from django.conf import settings
from django_tenants.routers import TenantSyncRouter
from django_tenants.utils import get_public_schema_name


class BusinessDatabasesRouter(TenantSyncRouter):
    def allow_migrate(self, db, app_label, model_name=None, **hints):
        from django.db import connections

        if db not in connections.settings:
            return False
        public = connections[db].schema_name == get_public_schema_name()
        apps = settings.SHARED_APPS if public else settings.TENANT_APPS
        return self.app_in_list(app_label, apps)  # an answer: the stock router never decides
