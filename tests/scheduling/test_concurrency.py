"""Real threads, each with its own PostgreSQL connection, against committed rows."""

import threading
import time
from collections import Counter
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from apps.scheduling.services import due_work_register, due_work_reschedule, due_work_sweep
from apps.tenants.models import TenantWakeup
from tests.helpers.threads import run_together
from tests.probe.models import ProbeHit


def _in_thread(tenant, fn, errors: list):
    def run():
        try:
            connection.set_tenant(tenant)
            fn()
        except Exception as exc:  # surfaced to the test through `errors`
            errors.append(exc)
        finally:
            connection.close()

    return threading.Thread(target=run)


def test_parallel_sweeps_run_each_row_exactly_once(committed_tenant):
    past = timezone.now() - timedelta(seconds=1)
    for n in range(120):
        due_work_register(kind="probe.hit", ref=f"row-{n}", due_at=past)

    outcomes = run_together([lambda: due_work_sweep(batch=7)] * 6, tenant=committed_tenant)

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    hits = Counter(ProbeHit.objects.values_list("ref", flat=True))
    assert len(hits) == 120
    assert set(hits.values()) == {1}


def test_work_registered_during_a_reschedule_is_not_lost(committed_tenant):
    """The sweep's reschedule waits for the wake-up row lock held by an open registration,
    then reads that registration's row; without the lock it would clear the wake-up time."""
    TenantWakeup.objects.create(tenant=committed_tenant, next_due_at=None)  # the steady state
    due = timezone.now() + timedelta(minutes=3)
    registered, reschedule_started = threading.Event(), threading.Event()
    errors: list = []

    def register():
        with transaction.atomic():
            due_work_register(kind="probe.hit", ref="late-arrival", due_at=due)
            registered.set()
            reschedule_started.wait(5)
            time.sleep(0.3)  # the reschedule is now blocked on our lock

    def reschedule():
        registered.wait(5)
        reschedule_started.set()
        due_work_reschedule()

    threads = [
        _in_thread(committed_tenant, register, errors),
        _in_thread(committed_tenant, reschedule, errors),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert TenantWakeup.objects.get(tenant=committed_tenant).next_due_at == due
