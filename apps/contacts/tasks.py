"""Celery tasks of the contacts app: ids in, one service call."""

from celery import shared_task


@shared_task
def timeline_subscribers_run_task() -> dict[str, int]:
    """Hand new timeline events to the subscribing apps (each from its own cursor)."""
    from .events import timeline_subscribers_run

    return timeline_subscribers_run()


@shared_task
def import_run_task(*, job_id: int) -> None:
    """Import the rows of an uploaded and mapped CSV file in the background."""
    from .services.imports import import_run

    import_run(job_id=job_id)
