"""RFM: quintile scores on crafted data, refunds, the window, the per-contact update after a
purchase, the segment table, constant query counts and the nightly due work."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.contacts.models import ContactSettings, RfmScore, RfmSegment, Transaction
from apps.contacts.services import transaction_record
from apps.contacts.services.rfm import (
    RFM_NIGHTLY,
    rfm_recompute,
    rfm_schedule_nightly,
    rfm_segment_for,
    rfm_settings,
    rfm_update_for_contact,
)
from apps.scheduling.models import DueWork, DueWorkStatus
from apps.scheduling.services import due_work_sweep
from tests.contacts.factories import ContactFactory

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def tx(contact, amount, days_ago, kind="purchase"):
    return Transaction.objects.create(
        contact=contact,
        kind=kind,
        amount=Decimal(str(amount)),
        currency="EUR",
        occurred_at=NOW - dt.timedelta(days=days_ago),
    )


def scores() -> dict[int, RfmScore]:
    return {s.contact_id: s for s in RfmScore.objects.all()}


def ladder(n=10):
    """n contacts where contact i bought i times, for 100*i each, most recently i days ago
    (so the higher i, the more frequent and valuable but the less recent)."""
    contacts = []
    for i in range(1, n + 1):
        contact = ContactFactory()
        for k in range(i):
            tx(contact, 100 * i, i + k * 2)
        contacts.append(contact)
    return contacts


def test_recompute_scores_by_quintile(tenant):
    contacts = ladder(10)
    assert rfm_recompute(now=NOW) == 10
    found = scores()
    # ten contacts in five tiles: two per tile, in order
    assert [found[c.pk].f for c in contacts] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert [found[c.pk].m for c in contacts] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert [found[c.pk].r for c in contacts] == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    third = found[contacts[2].pk]
    assert (third.recency_days, third.frequency, third.monetary) == (3, 3, Decimal("900.00"))
    assert third.segment == rfm_segment_for(third.r, third.f, third.m)
    assert third.computed_at == NOW


def test_ties_share_the_same_score(tenant):
    same = [ContactFactory() for _ in range(6)]
    for contact in same:
        tx(contact, 50, 10)
    top = ContactFactory()
    for k in range(3):
        tx(top, 500, 1 + k)
    rfm_recompute(now=NOW)
    found = scores()
    assert len({(found[c.pk].r, found[c.pk].f, found[c.pk].m) for c in same}) == 1
    assert found[same[0].pk].f == 1
    assert found[top.pk].f == 5 and found[top.pk].m == 5 and found[top.pk].r == 5


def test_refunds_subtract_from_monetary_and_never_below_zero(tenant):
    partly = ContactFactory()
    tx(partly, 200, 5)
    tx(partly, 80, 4, kind="refund")
    fully = ContactFactory()
    tx(fully, 50, 5)
    tx(fully, 50, 4, kind="refund")
    tx(fully, 100, 3, kind="refund")  # a refund of an older purchase outside the window
    rfm_recompute(now=NOW)
    found = scores()
    assert found[partly.pk].monetary == Decimal("120.00")
    assert found[partly.pk].frequency == 1  # refunds are not purchases
    assert found[fully.pk].monetary == Decimal("0.00")
    assert found[partly.pk].m > found[fully.pk].m


def test_window_limits_transactions_and_drops_lapsed_buyers(tenant):
    settings = rfm_settings()
    settings.rfm_window_days = 30
    settings.save()
    recent = ContactFactory()
    tx(recent, 100, 5)
    tx(recent, 900, 60)  # outside the window
    lapsed = ContactFactory()
    tx(lapsed, 100, 45)
    RfmScore.objects.create(
        contact=lapsed,
        recency_days=1,
        frequency=1,
        monetary=1,
        r=5,
        f=5,
        m=5,
        segment="champions",
        computed_at=NOW,
    )
    refund_only = ContactFactory()
    tx(refund_only, 20, 3, kind="refund")
    rfm_recompute(now=NOW)
    found = scores()
    assert set(found) == {recent.pk}
    assert found[recent.pk].frequency == 1 and found[recent.pk].monetary == Decimal("100.00")
    assert ContactSettings.objects.count() == 1


def test_recompute_updates_existing_rows_in_place(tenant):
    contacts = ladder(5)
    rfm_recompute(now=NOW)
    tx(contacts[0], 5000, 0)
    rfm_recompute(now=NOW)
    found = scores()
    assert RfmScore.objects.count() == 5
    assert found[contacts[0].pk].m == 5 and found[contacts[0].pk].r == 5


@pytest.mark.parametrize("n", [10, 200])
def test_recompute_runs_a_constant_number_of_queries(tenant, n, django_assert_max_num_queries):
    for i in range(n):
        contact = ContactFactory()
        tx(contact, 10 + i, 1 + i % 300)
    rfm_settings()
    # the settings row, the upsert and the prune, plus the savepoint pair of the atomic block
    with django_assert_max_num_queries(5):
        assert rfm_recompute(now=NOW) == n
    assert RfmScore.objects.count() == n


def test_single_contact_update_after_a_purchase_uses_current_boundaries(tenant):
    contacts = ladder(10)
    rfm_recompute(now=NOW)
    newcomer = ContactFactory()
    assert newcomer.pk not in scores()
    transaction_record(contact=newcomer, amount="20000", currency="EUR", occurred_at=NOW)
    score = RfmScore.objects.get(pk=newcomer.pk)
    assert (score.frequency, score.recency_days, score.monetary) == (1, 0, Decimal("20000.00"))
    assert score.r == 5 and score.f == 1 and score.m == 5
    assert score.segment == RfmSegment.NEW
    # the boundaries come from the stored scores: 3 purchases reach the f=2 boundary
    middle = contacts[2]
    assert scores()[middle.pk].f == 2
    assert rfm_update_for_contact(middle, now=NOW).f == 2


def test_refund_rescore_and_losing_every_purchase_drops_the_row(tenant):
    ladder(5)
    rfm_recompute(now=NOW)
    buyer = ContactFactory()
    purchase = transaction_record(
        contact=buyer,
        amount="300",
        currency="EUR",
        occurred_at=NOW - dt.timedelta(days=1),
    )
    before = RfmScore.objects.get(pk=buyer.pk).monetary
    transaction_record(
        contact=buyer, amount="100", currency="EUR", kind="refund", refund_of=purchase
    )
    assert RfmScore.objects.get(pk=buyer.pk).monetary == before - 100
    Transaction.objects.filter(contact=buyer, kind="refund").delete()
    Transaction.objects.filter(contact=buyer).delete()
    assert rfm_update_for_contact(buyer) is None
    assert not RfmScore.objects.filter(pk=buyer.pk).exists()


def test_segment_table_covers_every_score_triple():
    found = {
        rfm_segment_for(r, f, m) for r in range(1, 6) for f in range(1, 6) for m in range(1, 6)
    }
    assert found == set(RfmSegment.values)
    assert rfm_segment_for(5, 5, 5) == RfmSegment.CHAMPIONS
    assert rfm_segment_for(1, 5, 5) == RfmSegment.CANT_LOSE
    assert rfm_segment_for(2, 3, 1) == RfmSegment.AT_RISK
    assert rfm_segment_for(5, 1, 1) == RfmSegment.NEW
    assert rfm_segment_for(3, 2, 2) == RfmSegment.POTENTIAL
    assert rfm_segment_for(2, 1, 1) == RfmSegment.HIBERNATING
    assert rfm_segment_for(1, 1, 5) == RfmSegment.LOST


def test_nightly_is_due_at_three_in_the_business_time_zone(tenant):
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    evening = dt.datetime(2026, 3, 10, 22, 0, tzinfo=berlin)
    work = rfm_schedule_nightly(now=evening)
    assert work.due_at == dt.datetime(2026, 3, 11, 3, 0, tzinfo=berlin)
    early = dt.datetime(2026, 3, 11, 1, 0, tzinfo=berlin)
    again = rfm_schedule_nightly(now=early)
    assert again.pk == work.pk  # the same night is registered once
    assert DueWork.objects.filter(kind=RFM_NIGHTLY).count() == 1


def test_nightly_run_recomputes_and_registers_the_next_night(tenant):
    contact = ContactFactory()
    tx(contact, 100, 2)
    work = rfm_schedule_nightly(now=timezone.now() - dt.timedelta(days=2))
    DueWork.objects.filter(pk=work.pk).update(due_at=timezone.now() - dt.timedelta(minutes=1))
    assert due_work_sweep() == 1
    work.refresh_from_db()
    assert work.status == DueWorkStatus.DONE
    assert RfmScore.objects.filter(pk=contact.pk).exists()
    following = DueWork.objects.get(kind=RFM_NIGHTLY, status=DueWorkStatus.PENDING)
    local = following.due_at.astimezone(zoneinfo.ZoneInfo("Europe/Berlin"))
    assert local.time() == dt.time(3, 0) and following.due_at > timezone.now()


@pytest.mark.django_db
def test_a_new_business_gets_its_nightly_rfm_run_booked():
    from django_tenants.utils import schema_context

    from apps.tenants.services import tenant_create
    from tests.conftest import PASSWORD

    tenant = tenant_create(
        name="Delta Dental",
        slug="delta",
        owner_name="D",
        owner_email="d@delta.test",
        owner_password=PASSWORD,
        time_zone="Asia/Tokyo",
        country="JP",
    )
    with schema_context(tenant.schema_name):
        work = DueWork.objects.get(kind="contacts.rfm_nightly")
    assert work.status == "pending"
    assert work.due_at.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo")).hour == 3
