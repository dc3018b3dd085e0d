"""New business schemas from a recording of the migrations, instead of running them.

Migrating an empty business schema costs most of a sign-up (about 0.6 s on the CI machine),
and nearly all of it is Django rendering model states, not PostgreSQL creating tables. The SQL
it sends is the same for every business, so it is recorded once per set of migrations: an
empty scratch schema is migrated with every statement captured, and each new business replays
those statements in one round trip (about 0.1 s).

Why this is safe where cloning a template schema is not (DESIGN: "a clone can miss a table
while its migration is recorded as applied"): nothing is copied from a schema that may have
drifted. A recording is keyed by a fingerprint of the migration files themselves (names and
contents, with Django's version and the tenant app list), so a deploy that adds or edits a
migration is recorded afresh at the next sign-up, and the statements are exactly what
`migrate_schemas` ran, in its order. `tests/tenants/test_schema_template.py` compares a
replayed schema with a migrated one, column by column, constraint by constraint, index by
index, and row by row for the data the migrations write.

What a recording cannot hold: data migrations that depend on the business (they see no
business in the scratch schema). What every business starts with belongs in
`PROVISIONING_HOOKS`, which run for each new business after the replay.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import logging
import secrets
import sys
import time
from pathlib import Path

import django
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.migrations.loader import MigrationLoader

from ..db import connection
from ..models import SchemaTemplate

logger = logging.getLogger(__name__)

SCRATCH_PREFIX = "cx_schema_recording_"
# Reads, and what django-tenants and Django's atomic blocks run around the migrations; the
# migration records are written by the replay with the time of the sign-up.
_NOT_RECORDED = (
    "SELECT",
    "SHOW",
    "SET SEARCH_PATH",
    "SAVEPOINT",
    "RELEASE SAVEPOINT",
    "ROLLBACK TO SAVEPOINT",
    'INSERT INTO "DJANGO_MIGRATIONS"',
)


class RecordingError(RuntimeError):
    """The migrations sent SQL that would not replay in another schema."""


@functools.cache
def migrations_fingerprint() -> str:
    """Names and contents of every migration, Django's version and the tenant app list."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    digest = hashlib.sha256()
    digest.update(f"django {django.__version__}\n".encode())
    digest.update(json.dumps([settings.SHARED_APPS, settings.TENANT_APPS]).encode())
    for key in sorted(loader.disk_migrations):
        module = sys.modules[type(loader.disk_migrations[key]).__module__]
        digest.update(f"\n{key[0]}.{key[1]}\n".encode())
        digest.update(Path(inspect.getfile(module)).read_bytes())
    return digest.hexdigest()


def _recorded(sql: str) -> bool:
    return not sql.lstrip().upper().startswith(_NOT_RECORDED)


def _record(fingerprint: str) -> SchemaTemplate:
    """Migrate an empty scratch schema, keeping every statement that changed it."""
    scratch = SCRATCH_PREFIX + secrets.token_hex(6)
    statements: list[str] = []

    def capture(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if _recorded(sql):
            if many:
                statements.extend(connection.ops.compose_sql(sql, p) for p in params)
            else:
                statements.append(
                    sql if params is None else connection.ops.compose_sql(sql, params)
                )
        return result

    started = time.perf_counter()
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{scratch}"')
    try:
        with connection.execute_wrapper(capture):
            call_command("migrate_schemas", schema_name=scratch, interactive=False, verbosity=0)
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT app, name FROM "{scratch}".django_migrations ORDER BY id')
            applied = [list(row) for row in cursor.fetchall()]
    finally:
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            # Inside a caller's transaction, deferred foreign-key checks of the scratch rows
            # are still pending and would block the drop.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f'DROP SCHEMA IF EXISTS "{scratch}" CASCADE')
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's foreign keys again
    naming = [sql for sql in statements if scratch in sql]
    if naming:
        raise RecordingError(
            f"a migration names its schema, so its SQL cannot be replayed: {naming[0][:200]}"
        )
    seconds = time.perf_counter() - started
    logger.info(
        "recorded %d statements of %d migrations in %.2f s", len(statements), len(applied), seconds
    )
    try:
        with transaction.atomic():
            return SchemaTemplate.objects.create(
                fingerprint=fingerprint,
                statements=";\n".join(statements) + ";",
                migrations=applied,
                record_seconds=round(seconds, 3),
            )
    except IntegrityError:  # another process recorded the same migrations first
        return SchemaTemplate.objects.get(fingerprint=fingerprint)


def schema_template_ensure() -> SchemaTemplate:
    """The recording for the migrations on disk, made now if this deploy has none yet."""
    fingerprint = migrations_fingerprint()
    template = SchemaTemplate.objects.filter(fingerprint=fingerprint).first()
    return template if template is not None else _record(fingerprint)


def schema_create_from_template(schema_name: str, template: SchemaTemplate | None = None) -> None:
    """Create `schema_name` with every table of every migration, recorded as applied."""
    template = template or schema_template_ensure()
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema_name}"')
    # As django-tenants migrates a business: its own schema only on the search path.
    connection.set_schema(schema_name, include_public=False)
    try:
        with connection.cursor() as cursor:
            cursor.execute(template.statements)
            cursor.execute(
                "INSERT INTO django_migrations (app, name, applied) "
                "SELECT m ->> 0, m ->> 1, now() "
                "FROM jsonb_array_elements(%s::jsonb) WITH ORDINALITY AS t(m, n) ORDER BY n",
                [json.dumps(template.migrations)],
            )
    finally:
        connection.set_schema_to_public()
