"""Tenant routing without a database round trip per request.

The stock middleware looks the host up on every request, which costs about two thirds of
the throughput of a small endpoint (DESIGN). This one keeps host -> tenant in process for
TENANT_CACHE_SECONDS; a change in this process clears it at once (signals), a change in
another process is seen within that time.

A business living on another database (`apps.tenants.databases`) is served by pointing this
thread's `default` connection at that database for the request; the routing row comes with
the tenant in the same query, and the connection goes back home when the response is done.

It also leaves the connection alone when it is already in the request's schema: the stock
middleware switches to public and back on every request, and each switch makes
django-tenants send `SET search_path` again even with TENANT_LIMIT_SET_CALLS.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.signals import request_finished
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.http import HttpResponseNotFound
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name, get_tenant_domain_model

from .databases import HOME, database_current, database_switch, tenant_database

PUBLIC_SCHEMA = get_public_schema_name()
_lock = threading.Lock()
_cache: dict[str, tuple[float, object]] = {}  # host name -> (expires, tenant)
_by_raw_host: dict[str, tuple[float, object, str]] = {}  # Host header -> (expires, tenant, name)


def tenant_cache_clear() -> None:
    with _lock:
        _cache.clear()
        _by_raw_host.clear()


class CachedTenantMiddleware(TenantMainMiddleware):
    def get_tenant(self, domain_model, hostname):
        now = time.monotonic()
        hit = _cache.get(hostname)
        if hit is not None and hit[0] > now:
            return hit[1]
        connection.set_schema_to_public()  # the domain table lives there
        domain = domain_model.objects.select_related("tenant", "tenant__database_route")
        tenant = domain.get(domain=hostname).tenant
        tenant.database_alias = tenant_database(tenant)
        with _lock:
            _cache[hostname] = (now + settings.TENANT_CACHE_SECONDS, tenant)
        return tenant

    def process_request(self, request):
        if database_current() != HOME:  # a request that ended without request_finished
            database_switch(HOME)
        # A Host header seen before was validated against ALLOWED_HOSTS when it was cached.
        raw_host = request.META.get("HTTP_HOST", "")
        hit = _by_raw_host.get(raw_host)
        if hit is not None and hit[0] > time.monotonic():
            tenant, hostname = hit[1], hit[2]
        else:
            try:
                hostname = self.hostname_from_request(request)
            except DisallowedHost:
                return HttpResponseNotFound()
            domain_model = get_tenant_domain_model()
            try:
                tenant = self.get_tenant(domain_model, hostname)
            except domain_model.DoesNotExist:
                connection.set_schema_to_public()
                return self.no_tenant_found(request, hostname)
            with _lock:
                _by_raw_host[raw_host] = (_cache[hostname][0], tenant, hostname)
        tenant.domain_url = hostname
        request.tenant = tenant
        if tenant.database_alias != HOME:
            database_switch(tenant.database_alias)
        db = connections[DEFAULT_DB_ALIAS]  # one lookup; each `connection.x` is one more
        if db.schema_name == tenant.schema_name and db.include_public_schema:
            db.tenant = tenant  # the search_path already set stays valid
        else:
            db.set_tenant(tenant)
        if tenant.schema_name == PUBLIC_SCHEMA:
            # What django-tenants' setup_url_routing does for a project with one tenant type,
            # without its settings lookups on every request.
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF


def _home_again(**kwargs) -> None:
    """After the response (a streamed one included), this thread's connection goes home."""
    if database_current() != HOME:
        database_switch(HOME)


request_finished.connect(_home_again, dispatch_uid="cxsuite_database_home")
