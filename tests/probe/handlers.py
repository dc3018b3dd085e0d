from apps.scheduling.services import due_work_handler

from .models import ProbeHit


@due_work_handler("probe.hit")
def probe_hit(work) -> None:
    ProbeHit.objects.create(ref=work.ref)


@due_work_handler("probe.fail")
def probe_fail(work) -> None:
    raise RuntimeError("probe failure")


@due_work_handler("probe.again")
def probe_again(work) -> None:
    """A recurring job: runs, then books its next run under the same (kind, ref)."""
    from datetime import timedelta

    from apps.scheduling.services import due_work_register

    ProbeHit.objects.create(ref=work.ref)
    due_work_register(kind="probe.again", ref=work.ref, due_at=work.due_at + timedelta(hours=1))
