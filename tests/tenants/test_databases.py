"""Two businesses on two databases of this server: the routing table sends each request to
its business's database, and a real worker and beat run each one's due work there.

The second database is created on the test database's server (the machine's PostgreSQL or
the embedded one: both let the tests create databases), so this runs everywhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.contacts.models import Contact
from apps.scheduling.services import due_work_register
from apps.tenants.databases import HOME, database_aliases, database_use, tenant_database
from apps.tenants.models import SchemaState, Tenant, TenantWakeup
from apps.tenants.services import tenant_create, tenant_update_profile
from apps.tenants.services.backup import business_move
from tests.helpers.worker import Stack, wait_for
from tests.probe.models import ProbeHit

ALIAS = "second"
NORTH, SOUTH = "north", "south"

pytestmark = pytest.mark.worker


def _owner(slug: str) -> str:
    return f"owner@{slug}.test"


@pytest.fixture
def second_database(django_db_setup, django_db_blocker, pg_dump_available) -> Iterator[str]:
    """A second database on the same server, with its public schema migrated, registered as
    the alias "second" (as BUSINESS_DATABASES="second=<name>" does in a process's settings)."""
    name = f"{connection.settings_dict['NAME']}_second"
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
        connections.settings[ALIAS] = {
            **connections.settings[HOME],
            "NAME": name,
            "TEST": {"NAME": name},
        }
        try:
            with database_use(ALIAS):
                call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
            yield name
        finally:
            connections[ALIAS].close()
            del connections.settings[ALIAS]
            if hasattr(connections._connections, ALIAS):
                delattr(connections._connections, ALIAS)
            connection.set_schema_to_public()
            for tenant in Tenant.objects.filter(slug=NORTH):
                tenant.delete(force_drop=True)
            Tenant.objects.filter(slug=SOUTH).delete()  # its schema went with the database
            SchemaState.objects.filter(schema_name__in=[NORTH, SOUTH]).delete()
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_dump_available():
    from tests.helpers.pg_dump import pg_dump_binary

    pg_dump_binary()


def _contact(name: str) -> None:
    Contact.objects.create(first_name=name, last_name="Example")


def _client(slug: str) -> Client:
    client = Client(HTTP_HOST=f"{slug}.localhost")
    with schema_context(slug):
        client.force_login(User.objects.get(email=_owner(slug)))
    return client


def test_two_businesses_on_two_databases_are_served_with_their_due_work(
    second_database, django_db_blocker, tmp_path
):
    with django_db_blocker.unblock():
        for slug in (NORTH, SOUTH):
            tenant_create(
                name=slug.title(),
                slug=slug,
                owner_name="Owner",
                owner_email=_owner(slug),
                owner_password="two-databases-2026",
            )
        with schema_context(SOUTH):
            _contact("Selma")  # written on the home database, before the move
        south = business_move(slug=SOUTH, database=ALIAS)
        assert database_aliases() == [HOME, ALIAS]
        assert tenant_database(south) == ALIAS
        assert tenant_database(Tenant.objects.get(slug=NORTH)) == HOME
        with connection.cursor() as cursor:  # nothing of south is left at home
            cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [SOUTH])
            assert cursor.fetchone() is None
        with schema_context(NORTH):
            _contact("Nora")
        with database_use(ALIAS), schema_context(SOUTH):
            _contact("Sam")  # the business's rows live on the second database now
            assert set(Contact.objects.values_list("first_name", flat=True)) == {"Selma", "Sam"}

        # each host is served from its own database
        north_page = _client(NORTH).get("/contacts/").content.decode()
        with database_use(ALIAS):
            south_client = _client(SOUTH)
        south_page = south_client.get("/contacts/").content.decode()
        assert "Nora" in north_page and "Selma" not in north_page and "Sam" not in north_page
        assert "Selma" in south_page and "Sam" in south_page and "Nora" not in south_page
        assert connection.settings_dict["NAME"] != second_database  # back home afterwards

        # its profile, changed while serving it, reaches the routing row and the copy
        with database_use(ALIAS), schema_context(SOUTH):
            tenant_update_profile(
                tenant=south,
                name="South Renamed",
                country="US",
                time_zone="America/Chicago",
                language="en",
                brand_color="#0f766e",
            )
            assert Tenant.objects.get(pk=south.pk).name == "South Renamed"
        with connection.cursor() as cursor:  # and no schema of it came back at home
            cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [SOUTH])
            assert cursor.fetchone() is None
        assert Tenant.objects.get(pk=south.pk).name == "South Renamed"

        # each one's due work runs on its database, through the one beat tick
        due_at = timezone.now() + timedelta(seconds=1)
        with schema_context(NORTH):
            due_work_register(kind="probe.hit", ref="north-1", due_at=due_at)
        with database_use(ALIAS), schema_context(SOUTH):
            due_work_register(kind="probe.hit", ref="south-1", due_at=due_at)
            assert TenantWakeup.objects.filter(tenant_id=south.pk).exists()
        assert not TenantWakeup.objects.filter(tenant_id=south.pk).exists()

        stack = Stack("folder", tmp_path, {"BUSINESS_DATABASES": f"{ALIAS}={second_database}"})
        try:
            stack.wait_ready()

            def hits(slug: str, alias: str) -> list[str]:
                with database_use(alias), schema_context(slug):
                    return list(ProbeHit.objects.values_list("ref", flat=True))

            assert wait_for(
                lambda: hits(NORTH, HOME) == ["north-1"] and hits(SOUTH, ALIAS) == ["south-1"],
                timeout=60,
            ), stack.log("worker")[-3000:]
        finally:
            stack.stop()
        with database_use(ALIAS):
            wakeup = TenantWakeup.objects.get(tenant_id=south.pk)
            # swept there; what is left is provisioning's nightly work
            assert wakeup.last_swept_at is not None and wakeup.next_due_at > timezone.now()
