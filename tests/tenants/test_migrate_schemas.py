"""`migrate_schemas --executor=multiprocessing` over many businesses leaves every schema
complete. Its log drops lines (DESIGN), so the check reads the schemas themselves."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from apps.tenants.models import Domain, Tenant

SCHEMAS = [f"bulk_{n}" for n in range(8)]


@pytest.fixture
def bare_tenants(django_db_setup, django_db_blocker):
    """Businesses whose schemas exist but hold no table yet (as after a failed deploy)."""
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        tenants = Tenant.objects.bulk_create(
            Tenant(schema_name=schema, name=schema, slug=schema.replace("_", "-"))
            for schema in SCHEMAS
        )
        with connection.cursor() as cursor:
            for schema in SCHEMAS:
                cursor.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield tenants
        finally:
            with connection.cursor() as cursor:
                for schema in SCHEMAS:
                    cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            Domain.objects.filter(tenant__schema_name__in=SCHEMAS).delete()
            Tenant.objects.filter(schema_name__in=SCHEMAS).delete()


def test_multiprocessing_executor_migrates_every_schema(bare_tenants, django_db_blocker):
    env = {
        **os.environ,
        "DATABASE_NAME": connection.settings_dict["NAME"],
        "DJANGO_SETTINGS_MODULE": "tests.settings",
    }
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "migrate_schemas",
            "--tenant",
            "--executor=multiprocessing",
            "--noinput",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]

    tenant_labels = {"accounts", "scheduling", "probe", "auth", "contenttypes", "sessions"}
    loader = MigrationLoader(None, ignore_no_migrations=True)
    wanted = {key for key in loader.disk_migrations if key[0] in tenant_labels}
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        for schema in SCHEMAS:
            cursor.execute(f'SELECT app, name FROM "{schema}".django_migrations')
            applied = set(cursor.fetchall())
            assert wanted - applied == set(), schema
            cursor.execute(
                "SELECT count(*) FROM information_schema.tables "
                "WHERE table_schema = %s AND table_name = 'scheduling_duework'",
                [schema],
            )
            assert cursor.fetchone() == (1,)
