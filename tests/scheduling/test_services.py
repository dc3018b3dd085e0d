from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.scheduling.models import DueWork, DueWorkStatus
from apps.scheduling.services import (
    MAX_ATTEMPTS,
    DueWorkItem,
    due_work_cancel,
    due_work_cancel_many,
    due_work_dispatch,
    due_work_register,
    due_work_register_many,
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


# --- many rows at once ---------------------------------------------------------------------------
def _warm() -> None:
    """The connection's first query also sets the schema's search path: not counted below."""
    DueWork.objects.exists()


def _items(n, *, due_at, kind="probe.hit", prefix="r"):
    return [
        DueWorkItem(kind=kind, ref=f"{prefix}{i}", due_at=due_at, payload={"i": i})
        for i in range(n)
    ]


def test_register_many_writes_every_row_in_one_insert_and_one_wakeup(
    tenant, django_assert_num_queries
):
    due = timezone.now() + timedelta(minutes=5)
    _warm()
    with django_assert_num_queries(2):  # the upsert and the wake-up
        assert due_work_register_many(items=_items(300, due_at=due)) == 300
    rows = DueWork.objects.filter(kind="probe.hit")
    assert rows.count() == 300
    assert set(rows.values_list("status", flat=True)) == {DueWorkStatus.PENDING}
    assert DueWork.objects.get(ref="r7").payload == {"i": 7}


def test_register_many_query_count_grows_only_per_thousand_rows(tenant, django_assert_num_queries):
    due = timezone.now() + timedelta(minutes=5)
    _warm()
    with django_assert_num_queries(3 + 1):  # three INSERTs of at most 1,000 rows, the wake-up
        due_work_register_many(items=_items(2500, due_at=due))
    assert DueWork.objects.count() == 2500


def test_register_many_wakes_the_tenant_at_the_earliest_row(tenant):
    now = timezone.now()
    items = [
        DueWorkItem(kind="probe.hit", ref="late", due_at=now + timedelta(hours=2)),
        DueWorkItem(kind="probe.hit", ref="soon", due_at=now + timedelta(minutes=3)),
        DueWorkItem(kind="probe.hit", ref="mid", due_at=now + timedelta(hours=1)),
    ]
    due_work_register_many(items=items)
    assert _wakeup(tenant).next_due_at == now + timedelta(minutes=3)
    # a later batch never pushes the wake-up back
    due_work_register_many(
        items=[DueWorkItem(kind="probe.hit", ref="x", due_at=now + timedelta(days=1))]
    )
    assert _wakeup(tenant).next_due_at == now + timedelta(minutes=3)


def test_register_many_with_the_same_kind_and_ref_twice_keeps_the_last(tenant):
    now = timezone.now()
    items = [
        DueWorkItem(kind="probe.hit", ref=7, due_at=now + timedelta(hours=1), payload={"n": 1}),
        DueWorkItem(kind="probe.hit", ref="8", due_at=now + timedelta(hours=1)),
        DueWorkItem(kind="probe.hit", ref="7", due_at=now + timedelta(hours=3), payload={"n": 2}),
    ]
    assert due_work_register_many(items=items) == 2
    work = DueWork.objects.get(kind="probe.hit", ref="7")
    assert (work.due_at, work.payload) == (now + timedelta(hours=3), {"n": 2})
    assert DueWork.objects.count() == 2


def test_register_many_moves_existing_rows_and_revives_finished_ones(tenant):
    now = timezone.now()
    due_work_register(kind="probe.hit", ref="moved", due_at=now + timedelta(hours=1))
    failed = DueWorkFactory(ref="failed", status=DueWorkStatus.FAILED, attempts=5, last_error="x")
    due_work_register_many(
        items=[
            DueWorkItem(kind="probe.hit", ref="moved", due_at=now + timedelta(hours=2)),
            DueWorkItem(kind="probe.hit", ref="failed", due_at=now + timedelta(hours=2)),
        ]
    )
    assert DueWork.objects.filter(ref="moved").count() == 1
    assert DueWork.objects.get(ref="moved").due_at == now + timedelta(hours=2)
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (DueWorkStatus.PENDING, 0, "")


def test_register_many_runs_each_row_once_when_due(tenant):
    past = timezone.now() - timedelta(seconds=1)
    due_work_register_many(items=_items(3, due_at=past))
    assert due_work_sweep() == 3
    assert due_work_sweep() == 0
    assert sorted(ProbeHit.objects.values_list("ref", flat=True)) == ["r0", "r1", "r2"]


def test_register_many_refuses_an_unknown_kind_and_writes_nothing(tenant):
    items = [
        DueWorkItem(kind="probe.hit", ref="a", due_at=timezone.now()),
        DueWorkItem(kind="no-such-kind", ref="b", due_at=timezone.now()),
    ]
    with pytest.raises(ValueError, match="no-such-kind"):
        due_work_register_many(items=items)
    assert not DueWork.objects.exists()


def test_register_many_of_nothing_touches_nothing(tenant, django_assert_num_queries):
    _warm()
    with django_assert_num_queries(0):
        assert due_work_register_many(items=[]) == 0


def test_cancel_many_cancels_pending_rows_and_they_never_run(tenant, django_assert_num_queries):
    past = timezone.now() - timedelta(seconds=1)
    due_work_register_many(items=_items(5, due_at=past))
    with django_assert_num_queries(1):
        assert due_work_cancel_many(kind="probe.hit", refs=["r1", "r3", "r3", "nothing"]) == 2
    assert due_work_sweep() == 3
    assert sorted(ProbeHit.objects.values_list("ref", flat=True)) == ["r0", "r2", "r4"]
    assert DueWork.objects.get(ref="r1").status == DueWorkStatus.CANCELLED


def test_cancel_many_leaves_done_rows_and_other_kinds_alone(tenant):
    past = timezone.now() - timedelta(seconds=1)
    due_work_register(kind="probe.hit", ref="done", due_at=past)
    due_work_sweep()
    due_work_register(kind="probe.fail", ref="other", due_at=past + timedelta(hours=1))
    assert due_work_cancel_many(kind="probe.hit", refs=["done", "other"]) == 0
    assert DueWork.objects.get(ref="done").status == DueWorkStatus.DONE
    assert DueWork.objects.get(ref="other").status == DueWorkStatus.PENDING


def test_cancel_many_takes_thousands_of_refs_in_a_few_statements(tenant, django_assert_num_queries):
    due_work_register_many(items=_items(4500, due_at=timezone.now() + timedelta(hours=1)))
    with django_assert_num_queries(3):  # 2,000 refs per UPDATE
        assert due_work_cancel_many(kind="probe.hit", refs=[f"r{i}" for i in range(4500)]) == 4500


def test_cancel_by_prefix_takes_only_refs_starting_with_it(tenant):
    later = timezone.now() + timedelta(hours=1)
    for ref in ("1:a", "1:b", "11:a", "2:a"):
        due_work_register(kind="probe.hit", ref=ref, due_at=later)
    assert due_work_cancel_many(kind="probe.hit", ref_prefix="1:") == 2
    pending = DueWork.objects.pending().values_list("ref", flat=True)
    assert sorted(pending) == ["11:a", "2:a"]


@pytest.mark.parametrize("kwargs", [{}, {"refs": ["a"], "ref_prefix": "a"}, {"ref_prefix": ""}])
def test_cancel_many_wants_refs_or_a_prefix(tenant, kwargs):
    due_work_register(kind="probe.hit", ref="a", due_at=timezone.now())
    with pytest.raises(ValueError):
        due_work_cancel_many(kind="probe.hit", **kwargs)
    assert DueWork.objects.get(ref="a").status == DueWorkStatus.PENDING
