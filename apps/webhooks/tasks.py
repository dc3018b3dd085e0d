"""Celery tasks of webhooks: one service call each."""

from celery import shared_task


@shared_task
def webhook_deliveries_send_task() -> int:
    """Send the business's due webhook deliveries (each claimed by one worker at a time)."""
    from .services import webhook_deliveries_send

    return webhook_deliveries_send()
