"""Migrating businesses' schemas: only the ones behind, in parallel, reported and resumable.

Each schema's state (`SchemaState`) says at which set of migrations it last finished: the
fingerprint of the migration files that also keys the recording new businesses are created
from (`schema_template.migrations_fingerprint`). Finding the schemas behind is one query
joining the businesses with their states, so a deploy that changes no migration does not
look into any schema (`bootstrap` costs the same at 10 businesses as at 10,000).

`schemas_migrate` migrates a list of schemas with N worker processes, each with its own
connection, one schema at a time per worker. A worker records the outcome of each schema as
soon as it is known (the new fingerprint, or `failed` with the error), so a run stopped
half-way, or one where a schema failed, is continued by running it again: it takes the
schemas still behind, the failed ones included. A failing schema never stops the others.

Each schema is migrated as django-tenants' `migrate_schemas` migrates it (Django's migrate
command with the schema on the search path), so what a migration does is the same either way.
"""

from __future__ import annotations

import multiprocessing
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.apps import apps
from django.core.management.base import CommandError
from django.core.management.sql import emit_pre_migrate_signal
from django.db import transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ModelState, ProjectState
from django.db.models.signals import post_migrate
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from ..databases import HOME, database_close_all, database_current, database_switch
from ..db import connection
from ..models import SchemaState, Tenant, TenantDatabase
from .schema_template import migrations_fingerprint


def schema_state_record(
    *, schema_name: str, fingerprint: str, failed: bool = False, error: str = "", seconds=0.0
) -> None:
    """Record where a schema stands (one upsert, in the public schema of the current
    database)."""
    table = f'"{get_public_schema_name()}"."{SchemaState._meta.db_table}"'
    status = SchemaState.Status.FAILED if failed else SchemaState.Status.OK
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (schema_name, fingerprint, status, error, seconds, updated_at) "
            f"VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (schema_name) DO UPDATE SET "
            f"fingerprint = EXCLUDED.fingerprint, status = EXCLUDED.status, "
            f"error = EXCLUDED.error, seconds = EXCLUDED.seconds, "
            f"updated_at = EXCLUDED.updated_at",
            [schema_name, fingerprint, status, error[:4000], round(seconds, 3), timezone.now()],
        )


def schemas_behind(*, fingerprint: str | None = None, only: list[str] | None = None) -> list[str]:
    """The schemas of the current database not at `fingerprint` (the code's by default):
    never migrated by this mechanism, failed, or at an older set (of `only`, when given).
    One query.

    On the home database, businesses routed to another database are not its concern.
    """
    fingerprint = fingerprint or migrations_fingerprint()
    public = get_public_schema_name()
    tenants = f'"{public}"."{Tenant._meta.db_table}"'
    states = f'"{public}"."{SchemaState._meta.db_table}"'
    routes = f'"{public}"."{TenantDatabase._meta.db_table}"'
    elsewhere = (
        f"AND NOT EXISTS (SELECT 1 FROM {routes} r WHERE r.tenant_id = t.id AND r.alias <> %s)"
        if database_current() == HOME
        else ""
    )
    among = "AND t.schema_name = ANY(%s)" if only is not None else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.schema_name FROM {tenants} t "
            f"LEFT JOIN {states} s ON s.schema_name = t.schema_name AND s.status = 'ok' "
            f"WHERE t.schema_name <> %s AND s.fingerprint IS DISTINCT FROM %s {elsewhere} "
            f"{among} ORDER BY t.schema_name",
            [
                public,
                fingerprint,
                *([HOME] if elsewhere else []),
                *([list(only)] if only is not None else []),
            ],
        )
        return [row[0] for row in cursor.fetchall()]


def public_behind(*, fingerprint: str | None = None) -> bool:
    """Whether the public schema of the current database needs `migrate_schemas --shared`
    (also when the state table itself does not exist yet)."""
    fingerprint = fingerprint or migrations_fingerprint()
    public = get_public_schema_name()
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f'"{public}"."{SchemaState._meta.db_table}"'])
        if cursor.fetchone()[0] is None:
            return True
        cursor.execute(
            f'SELECT fingerprint FROM "{public}"."{SchemaState._meta.db_table}" '
            f"WHERE schema_name = %s AND status = 'ok'",
            [public],
        )
        row = cursor.fetchone()
    return row is None or row[0] != fingerprint


def schema_migrate(schema_name: str) -> None:
    """Apply the migrations a schema lacks: what Django's `migrate` does for one tenant under
    django-tenants' `migrate_schemas` (the schema alone on the search path while Django
    makes its table of applied migrations, then with public), with one difference: the state
    of the models before the migrations (which Django rebuilds from every migration file and
    renders, most of the time of a small migration) is built once per process for each set
    of applied migrations and reused, since every schema at that set has the same one."""
    with _migration_table_checked_by_name():
        connection.set_schema(schema_name, include_public=False)
        MigrationRecorder(connection).ensure_schema()
        connection.set_schema(schema_name)
        try:
            _migrate_connection()
        finally:
            connection.set_schema_to_public()


@contextmanager
def _migration_table_checked_by_name() -> Iterator[None]:
    """Django asks whether `django_migrations` exists by listing every table visible on the
    search path, a scan of the whole `pg_class` (0.15 to 0.3 s at 1,000 businesses, asked
    three times a schema, the first by `ensure_schema`); here it is asked for the schema's
    table by name, so a schema's cost does not grow with the number of businesses."""
    original = MigrationRecorder.has_table

    def has_table(recorder: MigrationRecorder) -> bool:
        if not recorder._has_table:  # type: ignore[attr-defined]
            table = MigrationRecorder.Migration._meta.db_table
            with recorder.connection.cursor() as cursor:
                schema = connection.schema_name  # the recorder's: the migrations use `default`
                cursor.execute("SELECT to_regclass(%s)", [f'"{schema}"."{table}"'])
                recorder._has_table = cursor.fetchone()[0] is not None  # type: ignore[attr-defined]
        return recorder._has_table  # type: ignore[attr-defined]

    MigrationRecorder.has_table = has_table  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        MigrationRecorder.has_table = original  # type: ignore[method-assign]


_STATES: dict[frozenset, ProjectState] = {}  # applied migrations -> their state, rendered


def _migrate_connection() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.check_consistent_history(connection)
    conflicts = executor.loader.detect_conflicts()
    if conflicts:
        raise CommandError(f"conflicting migrations: {conflicts}; run makemigrations --merge")
    targets = executor.loader.graph.leaf_nodes()
    plan = executor.migration_plan(targets)
    applied = frozenset(executor.loader.applied_migrations)
    before = _STATES.get(applied)
    if before is None:
        before = executor._create_project_state(with_applied_migrations=True)  # type: ignore[attr-defined]
        before.apps  # noqa: B018 - rendered once, cloned for each schema
        _STATES[applied] = before
    emit_pre_migrate_signal(0, False, connection.alias, apps=before.apps, plan=plan)
    after = executor.migrate(targets, plan=plan, state=before.clone())
    after.clear_delayed_apps_cache()
    after_apps = after.apps
    with after_apps.bulk_update():  # as Django's migrate: models of apps without migrations
        model_keys = []
        for model_state in after_apps.real_models:
            model_keys.append((model_state.app_label, model_state.name_lower))
            after_apps.unregister_model(*model_keys[-1])
    after_apps.render_multiple([ModelState.from_model(apps.get_model(*key)) for key in model_keys])
    _post_migrate_send(plan, after_apps)


def _post_migrate_send(plan: list, after_apps) -> None:
    """`post_migrate` for the apps whose migrations ran, not for every app as Django's
    `migrate` sends it. Its receivers (content types and permissions, the only ones in the
    project) make what a new model needs, and a new model always comes with its app's
    migration; asking every app at every schema was half of a schema's migration time
    (0.08 of 0.17 s), spent finding that nothing was missing. A run with nothing to apply
    sends nothing."""
    labels = {migration.app_label for migration, _backwards in plan}
    for app_config in apps.get_app_configs():
        if app_config.models_module is None or app_config.label not in labels:
            continue
        post_migrate.send(
            sender=app_config,
            app_config=app_config,
            verbosity=0,
            interactive=False,
            using=connection.alias,
            apps=after_apps,
            plan=plan,
        )


# --- the parallel run --------------------------------------------------------------------------
@dataclass
class SchemaResult:
    schema_name: str
    ok: bool
    seconds: float
    error: str = ""


@dataclass
class MigrationRun:
    """What a run did, as it goes: `progress` is called with it after each schema."""

    total: int
    started: float = field(default_factory=time.perf_counter)
    results: list[SchemaResult] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for result in self.results if result.ok)

    @property
    def failed(self) -> list[SchemaResult]:
        return [result for result in self.results if not result.ok]

    @property
    def remaining(self) -> int:
        return self.total - len(self.results)

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    @property
    def rate(self) -> float:
        """Schemas a second so far."""
        return len(self.results) / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left at the rate so far."""
        return self.remaining / self.rate if self.rate else None


def _worker_start(alias: str) -> None:
    """A fresh process: its own connections (the parent's were closed before the fork)."""
    database_switch(alias)


def _migrate_one(schema_name: str) -> SchemaResult:
    """In a worker: migrate one schema and record the outcome in the same process."""
    fingerprint = migrations_fingerprint()
    started = time.perf_counter()
    try:
        schema_migrate(schema_name)
    except Exception as exc:  # one schema failing never stops the others
        seconds = time.perf_counter() - started
        error = f"{type(exc).__name__}: {exc}".strip()
        detail = "".join(traceback.format_exception(exc)[-3:])
        try:
            transaction.rollback()
        except Exception:  # noqa: BLE001 - a broken connection is reopened below
            connection.close()
        connection.set_schema_to_public()
        schema_state_record(
            schema_name=schema_name,
            fingerprint="",
            failed=True,
            error=f"{error}\n{detail}",
            seconds=seconds,
        )
        return SchemaResult(schema_name, False, seconds, error)
    seconds = time.perf_counter() - started
    schema_state_record(schema_name=schema_name, fingerprint=fingerprint, seconds=seconds)
    return SchemaResult(schema_name, True, seconds)


def schemas_migrate(
    schemas: list[str],
    *,
    workers: int = 4,
    progress: Callable[[MigrationRun], None] | None = None,
) -> MigrationRun:
    """Migrate `schemas` of the current database with `workers` processes; every outcome is
    recorded in `SchemaState` (run again to retry the failed ones)."""
    run = MigrationRun(total=len(schemas))
    if not schemas:
        return run
    migrations_fingerprint()  # computed once, before the fork, for every worker
    if workers <= 1:
        for schema in schemas:
            run.results.append(_migrate_one(schema))
            if progress:
                progress(run)
        return run
    alias = database_current()
    database_close_all()
    context = multiprocessing.get_context("fork")
    with context.Pool(min(workers, len(schemas)), _worker_start, (alias,)) as pool:
        for result in pool.imap_unordered(_migrate_one, schemas):
            run.results.append(result)
            if progress:
                progress(run)
    return run
