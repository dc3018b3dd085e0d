"""Celery tasks of messaging: ids in, one service call."""

from celery import shared_task


@shared_task(bind=True, max_retries=3)
def message_deliver_task(self, *, message_id: int) -> None:
    """Hand a queued message to its provider; a transient failure retries with backoff."""
    from .services.sending import TransientDeliveryError, message_deliver

    try:
        message_deliver(message_id=message_id)
    except TransientDeliveryError as exc:
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
