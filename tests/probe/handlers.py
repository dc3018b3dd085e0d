"""Due-work handlers of the probe app, registered in its ready()."""

from .models import ProbeHit


def probe_hit(work) -> None:
    ProbeHit.objects.create(ref=work.ref)


def probe_fail(work) -> None:
    raise RuntimeError("probe failure")


def probe_again(work) -> None:
    """A recurring job: runs, then books its next run under the same (kind, ref)."""
    from datetime import timedelta

    from apps.scheduling.services import due_work_register

    ProbeHit.objects.create(ref=work.ref)
    due_work_register(kind="probe.again", ref=work.ref, due_at=work.due_at + timedelta(hours=1))
