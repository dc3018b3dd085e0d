"""One row each time the probe's due-work handler runs (no unique key: duplicates would show)."""

from django.db import models


class ProbeHit(models.Model):
    ref = models.CharField(max_length=64)
    ran_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.ref
