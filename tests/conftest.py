"""Two businesses created once per session (schema creation is the slow part), each test in a
transaction, and personas in the Healthchecks style: owner, manager, staff member, viewer
of tenant "alpha", and the outsider, the owner of tenant "beta"."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from apps.accounts.models import Role, User
from apps.accounts.services import api_key_create
from apps.tenants.middleware import tenant_cache_clear
from apps.tenants.models import Tenant, TenantWakeup
from apps.tenants.services import public_tenant_ensure, tenant_create

pytest_plugins = ["tests.helpers.clock"]

PASSWORD = "correct-horse-battery-staple"
TENANTS = {
    "alpha": dict(name="Alpha Dental", time_zone="Europe/Berlin", country="DE"),
    "beta": dict(name="Beta Repairs", time_zone="America/Los_Angeles", country="US"),
}


def owner_email(slug: str) -> str:
    return f"owner@{slug}.test"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database with both businesses in it.

    pytest-django creates the test database only when a collected test is marked for the
    database; tests on committed data (threads, workers) are not, so without this they would
    run against the real database.
    """
    from django.test.utils import setup_databases, teardown_databases

    own_setup = None
    with django_db_blocker.unblock():
        if not connection.settings_dict["NAME"].startswith("test_"):
            own_setup = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        assert connection.settings_dict["NAME"].startswith("test_")
        public_tenant_ensure()
        for slug, spec in TENANTS.items():
            tenant_create(
                slug=slug,
                owner_name=f"{slug.title()} Owner",
                owner_email=owner_email(slug),
                owner_password=PASSWORD,
                **spec,
            )
            # Start from no scheduled work (provisioning books the nightly jobs; tests of
            # provisioning hooks check that on their own).
            with connection.cursor() as cursor:
                cursor.execute(f'TRUNCATE "{slug}".scheduling_duework')
        TenantWakeup.objects.all().delete()
        connection.set_schema_to_public()
    yield
    if own_setup is not None:
        with django_db_blocker.unblock():
            teardown_databases(own_setup, verbosity=0)


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    tenant_cache_clear()
    cache.clear()
    yield
    tenant_cache_clear()


# --- tenants -----------------------------------------------------------------------------------
@pytest.fixture
def tenant(db) -> Iterator[Tenant]:
    """Tenant "alpha", with the connection inside its schema."""
    alpha = Tenant.objects.get(slug="alpha")
    connection.set_tenant(alpha)
    yield alpha
    connection.set_schema_to_public()


@pytest.fixture
def other_tenant(tenant) -> Tenant:
    return Tenant.objects.get(slug="beta")


def alpha():
    """Requests move the connection to the schema of the host they hit; read alpha's rows."""
    return schema_context("alpha")


# --- personas ----------------------------------------------------------------------------------
@pytest.fixture
def owner(tenant) -> User:
    return User.objects.get(email=owner_email("alpha"))


def _member(role: str) -> User:
    from tests.accounts.factories import UserFactory

    return UserFactory(role=role)


@pytest.fixture
def manager(tenant) -> User:
    return _member(Role.MANAGER)


@pytest.fixture
def staff_member(tenant) -> User:
    return _member(Role.STAFF)


@pytest.fixture
def viewer(tenant) -> User:
    return _member(Role.VIEWER)


@pytest.fixture
def outsider(other_tenant) -> User:
    """The owner of the other business."""
    with schema_context(other_tenant.schema_name):
        return User.objects.get(email=owner_email("beta"))


# --- clients -----------------------------------------------------------------------------------
def host_of(tenant: Tenant) -> str:
    return f"{tenant.slug}.localhost"


def logged_in(client: Client, user: User, tenant: Tenant) -> Client:
    """Log `user` in on `tenant`'s host (the session lives in that tenant's schema)."""
    with schema_context(tenant.schema_name):
        client.force_login(user)
    return client


@pytest.fixture
def public_client() -> Client:
    return Client(HTTP_HOST="localhost")


@pytest.fixture
def tenant_client(tenant) -> Client:
    return Client(HTTP_HOST=host_of(tenant))


@pytest.fixture
def other_tenant_client(other_tenant) -> Client:
    return Client(HTTP_HOST=host_of(other_tenant))


@pytest.fixture
def owner_client(tenant, owner) -> Client:
    return logged_in(Client(HTTP_HOST=host_of(tenant)), owner, tenant)


@pytest.fixture
def manager_client(tenant, manager) -> Client:
    return logged_in(Client(HTTP_HOST=host_of(tenant)), manager, tenant)


@pytest.fixture
def staff_client(tenant, staff_member) -> Client:
    return logged_in(Client(HTTP_HOST=host_of(tenant)), staff_member, tenant)


@pytest.fixture
def viewer_client(tenant, viewer) -> Client:
    return logged_in(Client(HTTP_HOST=host_of(tenant)), viewer, tenant)


@pytest.fixture
def outsider_client(tenant, other_tenant, outsider) -> Client:
    """The outsider, logged in on their own host, then pointed at tenant alpha's host."""
    client = logged_in(Client(HTTP_HOST=host_of(other_tenant)), outsider, other_tenant)
    client.defaults["HTTP_HOST"] = host_of(tenant)
    return client


def api_client_for(tenant: Tenant, scopes: list[str], host: str | None = None) -> APIClient:
    with schema_context(tenant.schema_name):
        _key, raw = api_key_create(name="test key", scopes=scopes, created_by=None)
    client = APIClient(HTTP_HOST=host or host_of(tenant))
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.raw_key = raw
    return client


@pytest.fixture
def api_client(tenant) -> APIClient:
    """A read-and-write API key of tenant alpha."""
    return api_client_for(tenant, ["read", "write"])


@pytest.fixture
def read_api_client(tenant) -> APIClient:
    return api_client_for(tenant, ["read"])


@pytest.fixture
def outsider_api_client(tenant, other_tenant) -> APIClient:
    """A valid key of tenant beta, sent to tenant alpha's host."""
    return api_client_for(other_tenant, ["read", "write"], host=host_of(tenant))


# --- committed data (threads, processes and workers see it) ------------------------------------
TRUNCATE_TABLES = [
    "scheduling_duework",
    "probe_probehit",
    "contacts_subscribercursor",
    "accounts_idempotencyrecord",
    "accounts_logincounter",
    "accounts_apikey",
    "accounts_invitation",
    "contacts_contact",
    "contacts_segment",
    "contacts_importjob",
    "contacts_customfield",
    "contacts_contactsettings",
    "messaging_messagingsettings",
    "messaging_inboundmessage",  # also the texts no contact was matched to
    "appointments_service",
    "appointments_staffmember",
    "appointments_room",
    "appointments_holiday",
    "appointments_appointmentsettings",
    "loyalty_program",
    "loyalty_programversion",
    "loyalty_reward",
    "loyalty_tier",
    "loyalty_earnrule",
    "loyalty_importbatch",
    "contacts_contactsettings",
    "messaging_messagingsettings",
]


@pytest.fixture
def committed_tenant(django_db_setup, django_db_blocker) -> Iterator[Tenant]:
    """Tenant alpha without the per-test transaction; its work tables are emptied afterwards."""
    with django_db_blocker.unblock():
        alpha = Tenant.objects.get(slug="alpha")
        connection.set_tenant(alpha)
        try:
            yield alpha
        finally:
            connection.set_schema_to_public()
            with connection.cursor() as cursor:
                for slug in TENANTS:
                    for table in TRUNCATE_TABLES:
                        cursor.execute(f'TRUNCATE "{slug}"."{table}" CASCADE')
            TenantWakeup.objects.all().delete()
