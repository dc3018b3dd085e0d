"""A real Celery worker and two real beats run due work once per row and per tenant (the stack
is in tests/helpers/worker.py)."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.scheduling.models import DueWork, DueWorkStatus
from apps.scheduling.services import due_work_cancel, due_work_register
from apps.tenants.models import TenantWakeup
from tests.helpers.worker import TICK_SECONDS, Stack
from tests.helpers.worker import wait_for as _wait_for
from tests.probe.models import ProbeHit

pytestmark = pytest.mark.worker


@pytest.fixture(params=["folder", "redis"])
def stack(request, committed_tenant, tmp_path):
    running = Stack(request.param, tmp_path)
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()


def _hits() -> Counter:
    return Counter(ProbeHit.objects.values_list("ref", flat=True))


def test_due_row_fires_once_within_one_tick_and_idle_tenant_gets_no_task(stack, committed_tenant):
    due_at = timezone.now() + timedelta(seconds=2)
    due_work_register(kind="probe.hit", ref="reminder-1", due_at=due_at)

    assert _wait_for(lambda: ProbeHit.objects.exists(), timeout=30), stack.log("worker")[-3000:]
    hit = ProbeHit.objects.get()
    assert hit.ran_at >= due_at
    # within one tick of its time (plus the worker's round trip)
    assert hit.ran_at - due_at < timedelta(seconds=TICK_SECONDS + 2)

    time.sleep(4 * TICK_SECONDS)  # more ticks from both beats
    assert _hits() == Counter({"reminder-1": 1})
    assert DueWork.objects.get(ref="reminder-1").status == DueWorkStatus.DONE
    assert TenantWakeup.objects.get(tenant=committed_tenant).last_swept_at is not None
    # beta has nothing due: no wake-up record, so no sweep was ever sent for it
    assert not TenantWakeup.objects.filter(tenant__slug="beta").exists()


def test_two_beats_and_duplicate_sweeps_still_run_each_row_once(stack, committed_tenant):
    due_at = timezone.now() + timedelta(seconds=1)
    refs = [f"batch-{n}" for n in range(40)]
    for ref in refs:
        due_work_register(kind="probe.hit", ref=ref, due_at=due_at)
    due_work_register(kind="probe.hit", ref="cancelled", due_at=due_at)
    due_work_cancel(kind="probe.hit", ref="cancelled")
    time.sleep(1)
    for _ in range(5):  # a retried task, a redelivered message, a second worker's tick
        stack.send_sweep("alpha")

    assert _wait_for(lambda: len(_hits()) >= len(refs), timeout=30), stack.log("worker")[-3000:]
    time.sleep(4 * TICK_SECONDS)
    hits = _hits()
    assert set(hits) == set(refs)
    assert set(hits.values()) == {1}


def test_a_sweep_sent_for_one_tenant_never_touches_another(stack, committed_tenant):
    due_work_register(
        kind="probe.hit", ref="alpha-only", due_at=timezone.now() + timedelta(hours=1)
    )
    DueWork.objects.filter(ref="alpha-only").update(due_at=timezone.now() - timedelta(seconds=1))
    stack.send_sweep("beta")
    time.sleep(3)
    assert not ProbeHit.objects.exists()
    assert DueWork.objects.get(ref="alpha-only").status == DueWorkStatus.PENDING
    with schema_context("beta"):
        assert not ProbeHit.objects.exists()
