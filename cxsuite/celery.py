"""The tenant-aware Celery app and the single public beat tick.

tenant-schemas-celery writes the sender's schema onto every message and switches the worker
into it before the task runs. Beat has exactly one entry, the due-work tick: it runs in the
public schema and wakes only the tenants whose earliest due time has passed (DESIGN,
"Scheduled work without scanning every tenant").

Every task starts and ends with no active time zone (UTC): a worker process runs tasks of
every business one after another, and a zone one task activated must not reach the next.
"""

import os

from celery.signals import task_postrun, task_prerun
from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxsuite.settings")

app = CeleryApp("cxsuite")
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
