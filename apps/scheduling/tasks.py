"""The public tick and the per-tenant sweep. Each is a few lines around a service."""

from celery import shared_task


@shared_task
def due_work_tick_task() -> int:
    """Runs in the public schema every DUE_WORK_TICK_SECONDS: wake only tenants with due work,
    on every database that holds businesses (each keeps its own wake-up times)."""
    from apps.tenants.databases import database_aliases, database_use
    from apps.tenants.db import connection

    from .services import due_work_dispatch

    woken = 0
    for alias in database_aliases():
        with database_use(alias):
            connection.set_schema_to_public()
            schemas = due_work_dispatch()
            for schema in schemas:  # the message names this database (`_database`)
                due_work_sweep_task.apply_async(headers={"_schema_name": schema})
        woken += len(schemas)
    return woken


@shared_task(bind=True, max_retries=3, default_retry_delay=5)
def due_work_sweep_task(self) -> int:
    """Runs in one tenant's schema: run its due rows, each exactly once."""
    from django.db import OperationalError

    from .services import due_work_sweep

    try:
        return due_work_sweep()
    except OperationalError as exc:  # a database hiccup passes; the rows stay pending
        raise self.retry(exc=exc) from exc
