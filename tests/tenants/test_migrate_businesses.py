"""`migrate_businesses` migrates only the schemas behind, with several workers; one failing
schema is reported and leaves the others migrated, and a second run completes it. `bootstrap`
with nothing behind looks into no schema."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from apps.tenants.models import SchemaState, Tenant
from apps.tenants.services import tenant_create
from apps.tenants.services.schema_migrations import schemas_behind
from apps.tenants.services.schema_template import migrations_fingerprint

SLUGS = ["mig-a", "mig-b", "mig-c"]
SCHEMAS = [slug.replace("-", "_") for slug in SLUGS]
PROBE_TABLE = "probe_probehit"


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_NAME": connection.settings_dict["NAME"],
        "DJANGO_SETTINGS_MODULE": "tests.settings",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _sql(statement: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)


def _permissions(schema: str, app_label: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT count(*) FROM "{schema}".auth_permission p '
            f'JOIN "{schema}".django_content_type c ON c.id = p.content_type_id '
            "WHERE c.app_label = %s",
            [app_label],
        )
        return cursor.fetchone()[0]


def _exists(schema: str, table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f'"{schema}"."{table}"'])
        return cursor.fetchone()[0] is not None


@pytest.fixture
def behind(django_db_setup, django_db_blocker):
    """Three businesses a migration behind: the probe app's is not applied (as after a deploy
    that added it). Committed, so the command's processes see them."""
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        for number, slug in enumerate(SLUGS):
            tenant_create(
                name=f"Migrating {number}",
                slug=slug,
                owner_name="Owner",
                owner_email=f"owner@{slug}.test",
                owner_password="migrate-pass-2026",
            )
        for schema in SCHEMAS:
            _sql(f'DROP TABLE "{schema}".{PROBE_TABLE}')
            _sql(f"DELETE FROM \"{schema}\".django_migrations WHERE app = 'probe'")
            _sql(  # as before the app existed: its content types and permissions are made
                f'DELETE FROM "{schema}".auth_permission WHERE content_type_id IN '
                f"(SELECT id FROM \"{schema}\".django_content_type WHERE app_label = 'probe')"
            )
            _sql(f"DELETE FROM \"{schema}\".django_content_type WHERE app_label = 'probe'")
        SchemaState.objects.filter(schema_name__in=SCHEMAS).update(fingerprint="an older set")
        try:
            yield
        finally:
            connection.set_schema_to_public()
            for tenant in Tenant.objects.filter(slug__in=SLUGS):
                tenant.delete(force_drop=True)
            SchemaState.objects.filter(schema_name__in=SCHEMAS).delete()


def test_a_failing_schema_is_reported_the_others_finish_and_a_second_run_completes_it(
    behind, django_db_blocker
):
    with django_db_blocker.unblock():
        assert schemas_behind(only=SCHEMAS) == SCHEMAS
        # mig_b's migration cannot run: a table already has the name it creates
        _sql(f'CREATE TABLE "mig_b".{PROBE_TABLE} (in_the_way int)')

    first = _run("migrate_businesses", "--workers=2", *(f"--schema={s}" for s in SCHEMAS))

    assert first.returncode == 1, first.stdout + first.stderr
    assert "3 schemas behind, 2 workers" in first.stdout
    assert "2 done, 1 failed, 0 remaining" in first.stdout
    assert "mig_b failed" in first.stderr and "already exists" in first.stderr
    with django_db_blocker.unblock():
        states = {s.schema_name: s for s in SchemaState.objects.filter(schema_name__in=SCHEMAS)}
        fingerprint = migrations_fingerprint()
        for schema in ("mig_a", "mig_c"):
            assert states[schema].status == "ok"
            assert states[schema].fingerprint == fingerprint
            assert _exists(schema, PROBE_TABLE)
            # post_migrate ran for the app that was migrated: its model's permissions exist
            assert _permissions(schema, "probe") == 4
        assert _permissions("mig_b", "probe") == 0
        assert states["mig_b"].status == "failed"
        assert "already exists" in states["mig_b"].error
        assert schemas_behind(only=SCHEMAS) == ["mig_b"]
        _sql(f'DROP TABLE "mig_b".{PROBE_TABLE}')  # the cause, fixed

    second = _run("migrate_businesses", "--workers=2", *(f"--schema={s}" for s in SCHEMAS))

    assert second.returncode == 0, second.stdout + second.stderr
    assert "1 schemas behind" in second.stdout
    assert "1 migrated, 0 failed" in second.stdout
    with django_db_blocker.unblock():
        assert schemas_behind(only=SCHEMAS) == []
        assert SchemaState.objects.get(schema_name="mig_b").status == "ok"
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT count(*) FROM "mig_b".{PROBE_TABLE}')
            assert cursor.fetchone() == (0,)
            cursor.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = 'mig_b' AND table_name = %s",
                [PROBE_TABLE],
            )
            assert "in_the_way" not in {row[0] for row in cursor.fetchall()}
        assert _permissions("mig_b", "probe") == 4


def test_businesses_made_by_provisioning_are_not_behind(tenant):
    assert set(schemas_behind(only=["alpha", "beta"])) == set()
    state = SchemaState.objects.get(schema_name="alpha")
    assert state.fingerprint == migrations_fingerprint()


def test_the_behind_query_is_one_query(tenant, django_assert_num_queries):
    connection.set_schema_to_public()
    schemas_behind()  # the search path is set
    with django_assert_num_queries(1):
        schemas_behind(fingerprint="x" * 64)


def test_bootstrap_with_nothing_behind_migrates_nothing(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        behind = schemas_behind()
    result = _run("bootstrap")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "database ready" in result.stdout
    if not behind:
        assert "behind" not in result.stdout
