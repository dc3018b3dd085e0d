from apps.scheduling.services import due_work_handler

from .models import ProbeHit


@due_work_handler("probe.hit")
def probe_hit(work) -> None:
    ProbeHit.objects.create(ref=work.ref)


@due_work_handler("probe.fail")
def probe_fail(work) -> None:
    raise RuntimeError("probe failure")
