"""A business schema replayed from the recording is the schema migrating would have made."""

import pytest
from django.core.management import call_command
from django.db import connection

from apps.tenants.models import SchemaTemplate
from apps.tenants.services import schema_create_from_template, schema_template_ensure
from apps.tenants.services import schema_template as recording

MIGRATED, REPLAYED = "shape_migrated", "shape_replayed"


def _describe(schema: str) -> dict:
    """Everything about a schema a migration can change, with the schema's name taken out."""
    queries = {
        "columns": """
            SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                   pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, a.attnum
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0
              AND NOT a.attisdropped
            ORDER BY 1, a.attnum""",
        "constraints": """
            SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid)
            FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s ORDER BY 1, 2""",
        "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes "
        "WHERE schemaname = %s ORDER BY 1, 2",
        "relations": """
            SELECT c.relname, c.relkind FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s ORDER BY 1""",
        "functions": """
            SELECT p.proname, pg_get_function_identity_arguments(p.oid) FROM pg_proc p
            JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %s ORDER BY 1, 2""",
    }
    shape: dict = {}
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("SET search_path = pg_catalog")  # every name in a definition qualified
        for name, sql in queries.items():
            cursor.execute(sql, [schema])
            shape[name] = [
                tuple(str(v).replace(f'"{schema}".', "S.").replace(f"{schema}.", "S.") for v in row)
                for row in cursor.fetchall()
            ]
        for table, order in (
            ("django_content_type", "id"),
            ("auth_permission", "id"),
            ("django_migrations", "app, name"),
        ):
            columns = "app, name" if table == "django_migrations" else "*"
            cursor.execute(f'SELECT {columns} FROM "{schema}"."{table}" ORDER BY {order}')
            shape[table] = cursor.fetchall()
    connection.set_schema_to_public()
    return shape


@pytest.fixture
def two_schemas(db):
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{MIGRATED}"')
    call_command("migrate_schemas", schema_name=MIGRATED, interactive=False, verbosity=0)
    schema_create_from_template(REPLAYED)
    yield
    connection.set_schema_to_public()


def test_a_replayed_schema_matches_a_migrated_one(two_schemas):
    migrated, replayed = _describe(MIGRATED), _describe(REPLAYED)

    assert len(migrated["relations"]) > 50  # the comparison is of something
    assert any("EXCLUDE USING gist" in c[3] for c in migrated["constraints"])
    assert len(migrated["django_content_type"]) > 20
    for part in migrated:
        assert replayed[part] == migrated[part], part


def test_the_recording_holds_no_reads_savepoints_or_schema_names(db):
    template = schema_template_ensure()
    lines = template.statements.upper()
    assert "CREATE TABLE" in lines
    for word in ("SAVEPOINT", "SET SEARCH_PATH", recording.SCRATCH_PREFIX.upper()):
        assert word not in lines
    assert ("appointments", "0001_initial") in {tuple(m) for m in template.migrations}


def test_changed_migrations_are_recorded_afresh_and_once(db, monkeypatch):
    first = schema_template_ensure()
    monkeypatch.setattr(recording, "migrations_fingerprint", lambda: "f" * 64)

    again = schema_template_ensure()
    and_again = schema_template_ensure()

    assert again.pk != first.pk and again.fingerprint == "f" * 64
    assert and_again.pk == again.pk
    assert again.statements == first.statements
    assert SchemaTemplate.objects.count() == 2


def test_the_fingerprint_follows_the_migration_files():
    fingerprint = recording.migrations_fingerprint()
    assert len(fingerprint) == 64
    recording.migrations_fingerprint.cache_clear()
    assert recording.migrations_fingerprint() == fingerprint
