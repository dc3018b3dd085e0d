"""Scopes per resource and action for API keys and partner apps, and a revoked key refused in
every process at once."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from apps.accounts import scopes
from apps.accounts.models import ApiKey
from apps.accounts.services import (
    ApiKeyCache,
    api_key_authenticate,
    api_key_create,
    api_key_revoke,
)
from tests.accounts.factories import oauth_token_create
from tests.conftest import alpha, api_client_for, host_of
from tests.helpers.redis import redis_url_or_skip


# --- the scopes --------------------------------------------------------------------------------
def test_resources_come_from_the_api_routes():
    resources = scopes.api_resources()
    for resource in ("contacts", "appointments", "custom-fields", "segments", "users", "tasks"):
        assert resource in resources
    assert "me" not in resources  # open to any credential
    assert "contacts:read" in scopes.all_scopes() and "waitlist:write" in scopes.all_scopes()


def test_a_new_resource_gets_its_scopes_without_a_declaration(settings):
    """What a new app's viewsets on the router would add: a path of its own under /api/v1/."""
    settings.ROOT_URLCONF = "tests.accounts.urls_with_a_new_resource"
    scopes._api_routes.cache_clear()
    try:
        assert "gadgets:write" in scopes.all_scopes()
    finally:
        scopes._api_routes.cache_clear()


def test_a_read_only_resource_has_no_write_scope():
    assert "availability:read" in scopes.all_scopes()
    assert "availability:write" not in scopes.all_scopes()
    assert "event-types:write" not in scopes.all_scopes()
    assert "users:write" not in scopes.all_scopes()


@pytest.mark.parametrize(
    ("granted", "resource", "write", "allowed"),
    [
        (["read"], "contacts", False, True),
        (["read"], "contacts", True, False),
        (["write"], "contacts", False, True),  # the first keys' write meant everything
        (["write"], "contacts", True, True),
        (["contacts:read"], "contacts", False, True),
        (["contacts:read"], "contacts", True, False),
        (["contacts:read"], "appointments", False, False),
        (["contacts:write"], "contacts", False, True),  # writing includes reading
        (["contacts:write"], "contacts", True, True),
        (["contacts:write"], "tasks", True, False),
        (["tasks:read"], "me", False, True),
    ],
)
def test_scopes_allow(granted, resource, write, allowed):
    assert scopes.scopes_allow(granted, resource, write=write) is allowed


@pytest.mark.django_db
def test_a_key_is_created_with_resource_scopes_and_unknown_ones_are_refused(tenant):
    key, _raw = api_key_create(
        name="POS", scopes=["transactions:write", "contacts:read"], created_by=None
    )
    assert key.scopes == ["contacts:read", "transactions:write"]
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        api_key_create(name="POS", scopes=["gadgets:read"], created_by=None)
    assert "scopes" in caught.value.message_dict


# --- the check on every API view ---------------------------------------------------------------
@pytest.mark.django_db
def test_a_resource_key_reaches_its_resource_only(tenant):
    client = api_client_for(tenant, ["contacts:read"])
    assert client.get("/api/v1/contacts/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200
    refused = client.get("/api/v1/appointments/")
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert error["code"] == "permission_denied"
    assert "appointments:read" in error["message"]
    write = client.post("/api/v1/contacts/", {"first_name": "Ada"}, format="json")
    assert write.status_code == 403
    assert "contacts:write" in write.json()["error"]["message"]


@pytest.mark.django_db
def test_a_write_scope_writes_its_resource(tenant):
    client = api_client_for(tenant, ["contacts:write"])
    created = client.post(
        "/api/v1/contacts/", {"first_name": "Ada", "email": "ada@example.com"}, format="json"
    )
    assert created.status_code == 201, created.content
    assert client.get("/api/v1/contacts/").status_code == 200
    assert client.get("/api/v1/tasks/").status_code == 403


@pytest.mark.django_db
def test_a_sub_resource_takes_its_parent_resources_scope(tenant):
    client = api_client_for(tenant, ["contacts:read"])
    with alpha():
        from tests.contacts.factories import ContactFactory

        contact = ContactFactory()
    assert client.get(f"/api/v1/contacts/{contact.pk}/events/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("scope", ["read", "write"])
def test_the_first_keys_plain_scopes_keep_working(tenant, scope):
    with alpha():
        ApiKey.objects.all().delete()
    client = api_client_for(tenant, [scope])
    assert client.get("/api/v1/contacts/").status_code == 200
    assert client.get("/api/v1/appointments/").status_code == 200


@pytest.mark.django_db
def test_an_oauth_token_is_held_to_its_scopes(tenant):
    with alpha():
        raw = oauth_token_create(["tasks:read"])
    client = APIClient(HTTP_HOST=host_of(tenant))
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/tasks/").status_code == 200
    assert client.get("/api/v1/contacts/").status_code == 403


@pytest.mark.django_db
def test_keys_page_offers_every_scope(manager_client):
    content = manager_client.get("/settings/api-keys/").content.decode()
    for scope in ("contacts:read", "appointments:write", "read", "write"):
        assert f'value="{scope}"' in content


@pytest.mark.django_db
def test_keys_page_creates_a_key_with_resource_scopes(manager_client):
    response = manager_client.post(
        "/settings/api-keys/", {"name": "Till", "scopes": ["transactions:write", "contacts:read"]}
    )
    assert response.status_code == 200
    with alpha():
        assert ApiKey.objects.get(name="Till").scopes == ["contacts:read", "transactions:write"]
    assert "transactions:write" in response.content.decode()


@pytest.mark.django_db
def test_viewer_cannot_open_the_keys_page(viewer_client):
    assert viewer_client.get("/settings/api-keys/").status_code == 403


# --- revocation in every process ---------------------------------------------------------------
@pytest.mark.django_db
def test_revocation_reaches_another_cache_at_once(tenant, settings):
    """Two processes' key caches (two instances) over one shared cache: a key both have seen,
    revoked through one, is refused by the other on its next request."""
    settings.API_KEY_CACHE_SECONDS = 600
    first, second = ApiKeyCache(), ApiKeyCache()
    key, raw = api_key_create(name="Partner", scopes=["read"], created_by=None)
    assert api_key_authenticate(raw_key=raw, cache=first) == key
    assert api_key_authenticate(raw_key=raw, cache=second) == key
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("apps.accounts.services.key_cache", first)
        api_key_revoke(api_key=key)
        # the version moves after commit; the test's transaction never commits
        first.revoked(connection.schema_name)
    assert api_key_authenticate(raw_key=raw, cache=second) is None


@pytest.mark.django_db
def test_without_a_shared_cache_every_request_asks_the_database(
    tenant, settings, django_assert_num_queries
):
    settings.API_KEY_REVOCATIONS_THROUGH_CACHE = False
    own = ApiKeyCache()
    key, raw = api_key_create(name="Partner", scopes=["read"], created_by=None)
    api_key_authenticate(raw_key=raw, cache=own)
    with django_assert_num_queries(1):
        assert api_key_authenticate(raw_key=raw, cache=own) == key
    ApiKey.objects.filter(pk=key.pk).update(revoked_at=key.created)
    assert api_key_authenticate(raw_key=raw, cache=own) is None


@pytest.mark.django_db
def test_with_a_shared_cache_a_seen_key_costs_no_query(tenant, django_assert_num_queries):
    own = ApiKeyCache()
    key, raw = api_key_create(name="Partner", scopes=["read"], created_by=None)
    api_key_authenticate(raw_key=raw, cache=own)
    with django_assert_num_queries(0):
        assert api_key_authenticate(raw_key=raw, cache=own) == key


CHECKER = textwrap.dedent(
    """
    import os, sys
    import django
    django.setup()
    from django.db import connection
    from django.test.utils import override_settings
    from apps.tenants.models import Tenant

    redis_cache = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["CHECK_REDIS_URL"],
        "KEY_FUNCTION": "django_tenants.cache.make_key",
    }}
    with override_settings(CACHES=redis_cache, API_KEY_CACHE_SECONDS=600):
        from apps.accounts.services import api_key_authenticate
        connection.set_tenant(Tenant.objects.get(slug="alpha"))
        for line in sys.stdin:
            found = api_key_authenticate(raw_key=line.strip())
            print("ok" if found else "refused", flush=True)
    """
)


def test_a_revoked_key_is_refused_at_once_by_another_process(committed_tenant, settings):
    """Another web process, with its own key cache and Redis: it has served the key (cached
    for ten minutes); the key is revoked here; its very next request is refused."""
    url = redis_url_or_skip()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_FUNCTION": "django_tenants.cache.make_key",
        }
    }
    key, raw = api_key_create(name="Partner", scopes=["read"], created_by=None)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_NAME": connection.settings_dict["NAME"],
        "CHECK_REDIS_URL": url,
    }
    other = subprocess.Popen(
        [sys.executable, "-c", CHECKER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:

        def ask() -> str:
            assert other.stdin is not None and other.stdout is not None
            other.stdin.write(raw + "\n")
            other.stdin.flush()
            return other.stdout.readline().strip()

        assert ask() == "ok"
        assert ask() == "ok"  # now from its cache
        api_key_revoke(api_key=key)
        assert ask() == "refused"
    finally:
        other.kill()
        other.wait(timeout=10)


@pytest.mark.django_db
def test_a_revoked_key_gets_401(tenant):
    client = api_client_for(tenant, ["read"])
    assert client.get("/api/v1/me/").status_code == 200
    with alpha():
        api_key_revoke(api_key=ApiKey.objects.get())
    answer = Client(HTTP_HOST=host_of(tenant)).get(
        "/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {client.raw_key}"
    )
    assert answer.status_code == 401
