"""Celery tasks of campaigns: ids in, one service call."""

from celery import shared_task


@shared_task
def campaign_step_task(*, campaign_id: int) -> int:
    """Start a due campaign or send its next batch (due work re-runs it if this is lost)."""
    from .services import campaign_step

    return campaign_step(campaign_id=campaign_id)
