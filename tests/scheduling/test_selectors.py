from datetime import timedelta

from django.utils import timezone

from apps.scheduling.models import DueWorkStatus
from apps.scheduling.selectors import due_work_pending_refs, due_work_states
from apps.scheduling.services import due_work_register, due_work_sweep
from tests.scheduling.factories import DueWorkFactory


def test_pending_refs_are_those_of_the_kind_still_to_run(tenant):
    later = timezone.now() + timedelta(hours=1)
    for ref in ("b", "a", "c"):
        due_work_register(kind="probe.hit", ref=ref, due_at=later)
    DueWorkFactory(ref="d", status=DueWorkStatus.CANCELLED)
    DueWorkFactory(kind="probe.fail", ref="e", due_at=later)
    assert due_work_pending_refs(kind="probe.hit") == ["a", "b", "c"]


def test_pending_refs_with_a_prefix(tenant):
    later = timezone.now() + timedelta(hours=1)
    for ref in ("1:a", "11:a", "1:b", "2:a"):
        due_work_register(kind="probe.hit", ref=ref, due_at=later)
    assert due_work_pending_refs(kind="probe.hit", ref_prefix="1:") == ["1:a", "1:b"]


def test_states_say_where_each_registered_row_stands(tenant, django_assert_num_queries):
    now = timezone.now()
    due_work_register(kind="probe.hit", ref="ran", due_at=now - timedelta(seconds=1))
    due_work_sweep()
    due_work_register(
        kind="probe.hit", ref="waits", due_at=now + timedelta(hours=1), payload={"x": 1}
    )
    with django_assert_num_queries(1):
        states = due_work_states(kind="probe.hit", refs=["ran", "waits", "never"])
    assert set(states) == {"ran", "waits"}
    assert states["ran"].done and not states["ran"].pending
    waits = states["waits"]
    assert waits.pending and (waits.due_at, waits.payload) == (now + timedelta(hours=1), {"x": 1})
