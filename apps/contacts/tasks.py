"""Celery tasks of the contacts app: ids in, one service call."""

from celery import shared_task


@shared_task
def timeline_events_dispatch_task(*, event_ids: list[int]) -> int:
    """Hand newly recorded timeline events to the subscribing apps."""
    from .events import timeline_dispatch

    timeline_dispatch(event_ids)
    return len(event_ids)


@shared_task
def import_run_task(*, job_id: int) -> None:
    """Import the rows of an uploaded and mapped CSV file in the background."""
    from .services.imports import import_run

    import_run(job_id=job_id)
