"""Staff notifications (the bell and e-mails to the team) and each member's choice of them.

A notification stores no customer data: it points at the timeline event it tells of, and the
page renders the customer's name and the appointment from the event at display time. So a
contact's erasure (which clears the contact and the event's personal properties) and merge
(which moves the events to the survivor) need nothing from this app, and deleting a contact
deletes its events and with them their notifications.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.contacts.models import TimelineEvent

from .choices import Kind


class Notification(models.Model):
    """One event told to one team member: at most once per (event, user), whatever re-runs."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.ForeignKey(TimelineEvent, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    in_app = models.BooleanField(default=True)  # shown under the bell
    email = models.BooleanField(default=False)  # e-mailed to the user
    created = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="notifications_once_per_user"),
            models.CheckConstraint(
                condition=Q(in_app=True) | Q(email=True), name="notifications_some_way"
            ),
        ]
        indexes = [
            models.Index(
                fields=["user", "-created", "-id"],
                condition=Q(in_app=True),
                name="notifications_bell",
            ),
            models.Index(
                fields=["user"],
                condition=Q(in_app=True, read_at__isnull=True),
                name="notifications_unread",
            ),
            models.Index(
                fields=["id"],
                condition=Q(email=True, emailed_at__isnull=True),
                name="notifications_email_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id} (event {self.event_id})"


class NotificationPreference(models.Model):
    """A team member's own choice for one kind; without a row the role's default applies."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    in_app = models.BooleanField(_("in the app"), default=False)
    email = models.BooleanField(_("by e-mail"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notifications_pref_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: app={self.in_app} email={self.email}"
