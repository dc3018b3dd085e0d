"""What feedback's tests share: delivering timeline events to the subscriber."""

from __future__ import annotations

from apps.contacts.models import TimelineEvent
from apps.feedback.services.subscriber import feedback_on_events


class Deliverer:
    """Hands feedback's subscriber the timeline events it has not seen in this test (inside
    the test's transaction the real run cannot see them yet), as the real run would."""

    def __init__(self) -> None:
        self.last = TimelineEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def __call__(self) -> int:
        new = list(
            TimelineEvent.objects.filter(pk__gt=self.last).order_by("pk").select_related("contact")
        )
        if new:
            self.last = new[-1].pk
            feedback_on_events(new)
        return len(new)
