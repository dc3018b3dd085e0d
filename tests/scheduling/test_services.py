from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.scheduling.models import DueWork, DueWorkStatus
from apps.scheduling.services import (
    MAX_ATTEMPTS,
    due_work_cancel,
    due_work_dispatch,
    due_work_register,
    due_work_reschedule,
    due_work_sweep,
)
from apps.tenants.models import TenantWakeup
from tests.probe.models import ProbeHit
from tests.scheduling.factories import DueWorkFactory


def _wakeup(tenant):
    return TenantWakeup.objects.filter(tenant=tenant).first()


def test_register_creates_pending_row_and_wakes_the_tenant_at_its_time(tenant):
    due = timezone.now() + timedelta(minutes=5)
    work = due_work_register(kind="probe.hit", ref="a", due_at=due)
    assert work.status == DueWorkStatus.PENDING
    assert _wakeup(tenant).next_due_at == due


def test_register_earlier_work_moves_the_wakeup_earlier_but_later_work_does_not(tenant):
    now = timezone.now()
    due_work_register(kind="probe.hit", ref="a", due_at=now + timedelta(minutes=10))
    due_work_register(kind="probe.hit", ref="b", due_at=now + timedelta(minutes=2))
    due_work_register(kind="probe.hit", ref="c", due_at=now + timedelta(minutes=30))
    assert _wakeup(tenant).next_due_at == now + timedelta(minutes=2)


def test_register_same_kind_and_ref_moves_the_one_row(tenant):
    now = timezone.now()
    due_work_register(kind="probe.hit", ref="7", due_at=now + timedelta(hours=1))
    due_work_register(kind="probe.hit", ref="7", due_at=now + timedelta(hours=2))
    assert DueWork.objects.filter(kind="probe.hit", ref="7").count() == 1
    assert DueWork.objects.get(ref="7").due_at == now + timedelta(hours=2)


def test_register_unknown_kind_is_refused(tenant):
    with pytest.raises(ValueError, match="no-such-kind"):
        due_work_register(kind="no-such-kind", ref="1", due_at=timezone.now())


def test_sweep_runs_due_rows_once_and_leaves_future_rows(tenant):
    now = timezone.now()
    for ref in ("a", "b", "c"):
        due_work_register(kind="probe.hit", ref=ref, due_at=now - timedelta(seconds=1))
    due_work_register(kind="probe.hit", ref="later", due_at=now + timedelta(hours=1))

    assert due_work_sweep() == 3
    assert due_work_sweep() == 0

    assert sorted(ProbeHit.objects.values_list("ref", flat=True)) == ["a", "b", "c"]
    assert DueWork.objects.get(ref="later").status == DueWorkStatus.PENDING
    assert set(DueWork.objects.exclude(ref="later").values_list("status", flat=True)) == {"done"}


def test_sweep_sets_the_next_wakeup_to_the_earliest_pending_row(tenant):
    now = timezone.now()
    DueWorkFactory(ref="due")
    later = now + timedelta(minutes=20)
    due_work_register(kind="probe.hit", ref="later", due_at=later)
    due_work_sweep()
    wakeup = _wakeup(tenant)
    assert wakeup.next_due_at == later
    assert wakeup.last_swept_at is not None


def test_sweep_with_nothing_left_clears_the_wakeup(tenant):
    due_work_register(kind="probe.hit", ref="x", due_at=timezone.now() - timedelta(seconds=1))
    due_work_sweep()
    assert _wakeup(tenant).next_due_at is None


def test_cancelled_work_never_runs(tenant):
    due_work_register(kind="probe.hit", ref="gone", due_at=timezone.now() - timedelta(seconds=1))
    assert due_work_cancel(kind="probe.hit", ref="gone") == 1
    due_work_sweep()
    assert not ProbeHit.objects.exists()
    assert DueWork.objects.get(ref="gone").status == DueWorkStatus.CANCELLED


def test_cancel_after_done_changes_nothing(tenant):
    due_work_register(kind="probe.hit", ref="done", due_at=timezone.now() - timedelta(seconds=1))
    due_work_sweep()
    assert due_work_cancel(kind="probe.hit", ref="done") == 0
    assert DueWork.objects.get(ref="done").status == DueWorkStatus.DONE


def test_a_failing_handler_is_retried_later_and_does_not_block_others(tenant):
    past = timezone.now() - timedelta(seconds=1)
    due_work_register(kind="probe.fail", ref="bad", due_at=past)
    due_work_register(kind="probe.hit", ref="good", due_at=past)

    assert due_work_sweep() == 2

    bad = DueWork.objects.get(ref="bad")
    assert bad.status == DueWorkStatus.PENDING
    assert bad.attempts == 1
    assert "probe failure" in bad.last_error
    assert bad.due_at > timezone.now()
    assert list(ProbeHit.objects.values_list("ref", flat=True)) == ["good"]


def test_a_handler_failing_every_time_ends_failed(tenant):
    work = DueWorkFactory(kind="probe.fail", ref="bad")
    for _ in range(MAX_ATTEMPTS):
        DueWork.objects.filter(pk=work.pk).update(due_at=timezone.now() - timedelta(seconds=1))
        due_work_sweep()
    work.refresh_from_db()
    assert work.status == DueWorkStatus.FAILED
    assert work.attempts == MAX_ATTEMPTS


def test_dispatch_returns_only_tenants_whose_time_has_passed(tenant, other_tenant):
    now = timezone.now()
    TenantWakeup.objects.create(tenant=tenant, next_due_at=now - timedelta(seconds=1))
    TenantWakeup.objects.create(tenant=other_tenant, next_due_at=now + timedelta(minutes=1))
    assert due_work_dispatch(now=now) == ["alpha"]


def test_dispatch_ignores_tenants_with_nothing_pending(tenant, other_tenant):
    TenantWakeup.objects.create(tenant=tenant, next_due_at=None)
    assert due_work_dispatch() == []


def test_dispatch_leases_a_tenant_so_a_second_tick_does_not_send_it_again(tenant, settings):
    now = timezone.now()
    TenantWakeup.objects.create(tenant=tenant, next_due_at=now - timedelta(seconds=1))
    assert due_work_dispatch(now=now) == ["alpha"]
    assert due_work_dispatch(now=now + timedelta(seconds=10)) == []
    after_lease = now + timedelta(seconds=settings.DUE_WORK_LEASE_SECONDS + 1)
    assert due_work_dispatch(now=after_lease) == ["alpha"]


def test_sweep_in_one_tenant_never_runs_another_tenants_rows(tenant, other_tenant):
    due_work_register(kind="probe.hit", ref="alpha-row", due_at=timezone.now())
    with schema_context(other_tenant.schema_name):
        assert due_work_sweep() == 0
        assert not ProbeHit.objects.exists()
    connection.set_tenant(tenant)
    assert DueWork.objects.get(ref="alpha-row").status == DueWorkStatus.PENDING


def test_reschedule_with_no_row_yet_creates_one(tenant):
    assert due_work_reschedule() is None
    assert _wakeup(tenant).next_due_at is None


def test_a_handler_that_books_its_next_run_keeps_it(tenant):
    first = timezone.now() - timedelta(seconds=1)
    due_work_register(kind="probe.again", ref="nightly", due_at=first)
    assert due_work_sweep() == 1
    work = DueWork.objects.get(ref="nightly")
    assert work.status == DueWorkStatus.PENDING
    assert work.due_at == first + timedelta(hours=1)
    assert _wakeup(tenant).next_due_at == work.due_at
