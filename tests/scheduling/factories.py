from datetime import timedelta

import factory
from django.utils import timezone

from apps.scheduling.models import DueWork


class DueWorkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DueWork

    kind = "probe.hit"
    ref = factory.Sequence(lambda n: f"ref-{n}")
    due_at = factory.LazyFunction(lambda: timezone.now() - timedelta(seconds=1))
