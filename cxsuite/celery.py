"""The tenant-aware Celery app and the single public beat tick.

tenant-schemas-celery writes the sender's schema onto every message and switches the worker
into it before the task runs. Beat has exactly one entry, the due-work tick: it runs in the
public schema and wakes only the tenants whose earliest due time has passed (DESIGN,
"Scheduled work without scanning every tenant").

A business living on another database (`apps.tenants.databases`) gets its tasks there: the
sender adds the database it is using to the message (`_database`), and the worker points its
connection at that database for the task and back home afterwards.

Every task starts and ends with no active time zone (UTC): a worker process runs tasks of
every business one after another, and a zone one task activated must not reach the next.
"""

import os

from celery.signals import task_postrun, task_prerun
from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxsuite.settings")

DATABASE_HEADER = "_database"


class TenantDatabaseCeleryApp(CeleryApp):
    """tenant-schemas-celery's app, whose messages also say which database the sender uses."""

    def send_task(self, name, args=None, kwargs=None, **options):
        from apps.tenants.databases import database_current

        headers = dict(options.get("headers") or {})
        headers.setdefault(DATABASE_HEADER, database_current())
        options["headers"] = headers
        return super().send_task(name, args=args, kwargs=kwargs, **options)


app = TenantDatabaseCeleryApp("cxsuite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _schedule_due_work_tick(sender, **kwargs) -> None:
    from django.conf import settings

    sender.add_periodic_task(
        settings.DUE_WORK_TICK_SECONDS,
        sender.signature("apps.scheduling.tasks.due_work_tick_task"),
        name="due-work-tick",
    )


@task_prerun.connect
@task_postrun.connect
def _time_zone_reset(**kwargs) -> None:
    from django.utils import timezone

    timezone.deactivate()


def _task_header(task, name: str):
    headers = task.request.headers or {}
    return headers.get(name) if name in headers else task.request.get(name)


@task_prerun.connect
def _database_enter(task=None, **kwargs) -> None:
    """After tenant-schemas-celery found the tenant (on the home database, where the routing
    lives), point the connection at the database named in the message and enter the schema
    there."""
    from django.db import connection

    from apps.tenants.databases import HOME, database_current, database_switch

    alias = _task_header(task, DATABASE_HEADER) if task is not None else None
    if not alias or alias == database_current():
        return
    tenant = connection.tenant
    database_switch(alias)
    if alias != HOME and tenant.schema_name != "public":
        connection.set_tenant(tenant)
    else:
        connection.set_schema_to_public()


@task_postrun.connect
def _database_leave(**kwargs) -> None:
    from django.db import connection

    from apps.tenants.databases import HOME, database_current, database_switch

    if database_current() != HOME:
        connection.set_schema_to_public()
        database_switch(HOME)
        connection.set_schema_to_public()
