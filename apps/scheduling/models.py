"""Due work: one row per thing that must happen at a time (a reminder, a journey wait, ...)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DueWorkStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Failed")


class DueWorkQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=DueWorkStatus.PENDING)

    def due(self, now):
        return self.pending().filter(due_at__lte=now)


class DueWork(models.Model):
    """`kind` names the handler (registered with `@due_work_handler`), `ref` the row it acts on.

    (kind, ref) is unique: registering the same work again moves it rather than adding a
    second one, which is what makes "one reminder of each kind per appointment" hold.
    """

    kind = models.CharField(max_length=64)
    ref = models.CharField(max_length=64)
    due_at = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=DueWorkStatus.choices, default=DueWorkStatus.PENDING
    )
    payload = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    objects = DueWorkQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "ref"], name="scheduling_duework_kind_ref")
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=models.Q(status="pending"),
                name="scheduling_duework_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.ref} @ {self.due_at:%Y-%m-%d %H:%M} ({self.status})"
