"""The e-mail task and its due-work safety net, called inside the business's schema."""

from __future__ import annotations

from django.core import mail

from apps.notifications.services import _send_later, notification_emails_due
from apps.notifications.tasks import notification_emails_send_task

from .factories import NotificationFactory


def test_the_task_sends_each_waiting_email_once(tenant, owner):
    NotificationFactory(user=owner, email=True)
    NotificationFactory(user=owner, email=True, in_app=False)
    NotificationFactory(user=owner)  # in the app only
    mail.outbox.clear()
    assert notification_emails_send_task() == 2
    assert notification_emails_send_task() == 0
    assert len(mail.outbox) == 2


def test_the_safety_net_sends_the_task_after_the_sweep_commits(
    tenant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification_emails_due(None)
    assert callbacks == [_send_later]
