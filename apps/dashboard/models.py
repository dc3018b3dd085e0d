"""The weekly summary e-mail: who chose it, and each week it went out (once per member)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class WeeklySummaryRecipient(models.Model):
    """An owner or manager who chose the Monday e-mail of the week's figures."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"weekly summary → {self.user_id}"


class WeeklySummarySent(models.Model):
    """The summary of the week starting `week_start` went to `user`: at most once, whatever
    re-runs (the unique key)."""

    # The unique key below leads with the user: no index of its own.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    week_start = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "week_start"], name="dashboard_weekly_summary_once"
            )
        ]

    def __str__(self) -> str:
        return f"weekly summary {self.week_start} → {self.user_id}"
