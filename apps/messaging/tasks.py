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


@shared_task
def messages_deliver_task(*, message_ids: list[int]) -> int:
    """Deliver a batch's messages; one that fails transiently is retried on its own."""
    from .services.sending import messages_deliver

    for message_id in messages_deliver(message_ids=message_ids):
        message_deliver_task.apply_async(kwargs={"message_id": message_id}, countdown=30)
    return len(message_ids)
