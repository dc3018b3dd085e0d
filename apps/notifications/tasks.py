"""Celery tasks of notifications: one service call each."""

from celery import shared_task


@shared_task
def notification_emails_send_task() -> int:
    """Send the staff e-mails waiting to go (each once, whoever runs it)."""
    from .services import notification_emails_send

    return notification_emails_send()
