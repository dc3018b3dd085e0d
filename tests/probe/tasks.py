"""A task that reports the time zone it runs in (the worker resets it around every task)."""

from celery import shared_task
from django.utils import timezone


@shared_task
def probe_time_zone_task() -> str:
    return timezone.get_current_timezone_name()
