"""The CRM's dashboard widgets on a small known data set, with the clock held on the last
day of a week-long period at 23:45 in Berlin (alpha's zone)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.registries import analytics_widgets
from apps.contacts.models import RfmScore
from apps.contacts.registries import customer_activity
from apps.contacts.selectors.analytics import customers_widget, rfm_widget
from apps.contacts.services import contact_erase, transaction_record
from cxsuite.lib.analytics import period_ending
from tests.appointments.factories import AppointmentFactory
from tests.contacts.factories import ContactFactory
from tests.helpers.clock import BERLIN, clock_at, local

pytestmark = pytest.mark.django_db

LAST = dt.date(2026, 6, 17)  # the period's last day: three weeks without a clock change
FIRST = LAST - dt.timedelta(days=6)  # the period: FIRST .. LAST
PREV = FIRST - dt.timedelta(days=7)  # the period before: PREV .. FIRST - 1
BEFORE = PREV - dt.timedelta(days=7)  # the one before that


@pytest.fixture(autouse=True)
def _late_on_the_last_day(tenant):
    with clock_at(local(LAST, 23, 45)):
        yield


def _period(key: str = "7d"):
    return period_ending(key, now=timezone.now(), zone=BERLIN)


def _buy(contact, day: dt.date, amount, hour: int = 12, minute: int = 0):
    return transaction_record(contact=contact, amount=amount, occurred_at=local(day, hour, minute))


def _figures(data) -> dict[str, tuple]:
    return {f.key: (f.value, f.previous) for f in data.figures}


@pytest.fixture
def known_set():
    """Eight contacts whose figures are worked out by hand in the tests below."""
    ann, ben, cleo, dan, eve, fay, hal = ContactFactory.create_batch(7)
    _buy(ann, PREV + dt.timedelta(days=2), 50)
    purchase = _buy(ann, FIRST + dt.timedelta(days=1), 30)
    _buy(ann, FIRST + dt.timedelta(days=3), 20)
    transaction_record(
        contact=ann,
        amount=10,
        kind="refund",
        refund_of=purchase,
        occurred_at=local(FIRST + dt.timedelta(days=4), 9),
    )
    _buy(ben, PREV + dt.timedelta(days=1), 100)  # bought before, not again: churned
    # a completed visit in the period and one long before: active, but not new
    AppointmentFactory(
        contact=cleo, starts_at=local(LAST - dt.timedelta(days=2), 10), status="completed"
    )
    AppointmentFactory(
        contact=cleo, starts_at=local(BEFORE - dt.timedelta(days=9), 10), status="completed"
    )
    _buy(dan, LAST, 40, hour=23, minute=30)  # 23:30 local on the last day counts
    _buy(eve, FIRST + dt.timedelta(days=2), 500)
    contact_erase(contact=eve, actor=None)  # an erased contact is never counted
    AppointmentFactory(
        contact=fay, starts_at=local(FIRST + dt.timedelta(days=1), 9), status="no_show"
    )
    AppointmentFactory(
        contact=fay, starts_at=local(FIRST + dt.timedelta(days=2), 9), status="cancelled"
    )
    _buy(hal, BEFORE + dt.timedelta(days=3), 45)
    _buy(hal, FIRST - dt.timedelta(days=1), 60, hour=23, minute=30)  # the previous period's end
    with schema_context("beta"):  # another business's customers are not alpha's
        _buy(ContactFactory(), FIRST + dt.timedelta(days=1), 999)


def test_customer_figures_on_a_known_set(known_set):
    figures = _figures(customers_widget(_period()))
    # active now: ann (purchases), cleo (a completed visit), dan (23:30 on the last day);
    # before: ann, ben, hal. eve is erased; fay's no-show and cancellation are not visits.
    assert figures["active"] == (3, 3)
    # of ann, ben and hal only ann came back; of the period before that only hal was active,
    # and he came back in the previous period
    assert figures["retention"] == (33.3, 100.0)
    assert figures["churn"] == (66.7, 0.0)
    # ann bought twice and dan once; in the period before everyone bought once
    assert figures["repeat"] == (50.0, 0.0)
    # (30 + 20 - 10 refunded + 40) / 2 paying customers; (50 + 100 + 60) / 3
    assert figures["average_value"] == (Decimal("40.00"), Decimal("70.00"))
    # dan's first purchase ever is in the period (cleo had a visit long before); ann and ben
    # started in the previous one (hal before that)
    assert figures["new"] == (1, 2)


def test_nothing_in_the_period_gives_none_not_zero():
    data = customers_widget(_period())
    figures = _figures(data)
    assert figures["active"] == (0, 0) and figures["new"] == (0, 0)
    for key in ("retention", "churn", "repeat", "average_value"):
        assert figures[key] == (None, None)
    assert data.empty_message


def test_nobody_active_before_gives_no_retention_but_counts_the_new(tenant):
    _buy(ContactFactory(), FIRST, 25)
    figures = _figures(customers_widget(_period()))
    assert figures["active"] == (1, 0) and figures["new"] == (1, 0)
    assert figures["retention"] == (None, None) and figures["churn"] == (None, None)
    assert figures["repeat"] == (0.0, None) and figures["average_value"] == (Decimal("25.00"), None)


def test_the_period_starts_at_local_midnight():
    late, early = ContactFactory.create_batch(2)
    _buy(late, FIRST - dt.timedelta(days=1), 10, hour=23, minute=59)  # previous period
    _buy(early, FIRST, 10, hour=0, minute=0)  # this period (22:00 UTC the day before)
    figures = _figures(customers_widget(_period()))
    assert figures["active"] == (1, 1)


def test_active_customers_per_week(known_set):
    data = customers_widget(_period("30d"))
    assert data.chart is not None and data.chart.kind == "line"
    assert len(data.chart.categories) == 5  # 30 days: four weeks and two days
    counts = list(data.chart.series[0].values)
    # weeks from the period's first day: cleo's early visit; hal; ann and ben; ann, cleo and
    # hal; the last two days: dan
    assert counts == [1, 1, 2, 3, 1]
    assert data.table is not None and [row[1] for row in data.table.rows] == counts
    assert data.table.rows[0][0] == LAST - dt.timedelta(days=29)


def test_the_customers_widget_is_two_queries_whatever_the_data(
    known_set, django_assert_max_num_queries
):
    customers_widget(_period())  # the connection settles on alpha's schema first
    with django_assert_max_num_queries(2):
        customers_widget(_period("12m"))


def test_completed_visits_come_from_the_appointments_module():
    assert "appointments" in customer_activity
    with customer_activity.without("appointments"):
        cleo = ContactFactory()
        AppointmentFactory(contact=cleo, starts_at=local(LAST, 10), status="completed")
        assert _figures(customers_widget(_period()))["active"] == (0, 0)
    assert _figures(customers_widget(_period()))["active"] == (1, 0)


# --- RFM ---------------------------------------------------------------------------------------
def _score(contact, r: int, f: int, m: int, segment: str, monetary: int = 100, days: int = 10):
    return RfmScore.objects.create(
        contact=contact,
        recency_days=days,
        frequency=f,
        monetary=monetary,
        r=r,
        f=f,
        m=m,
        segment=segment,
        computed_at=timezone.now(),
    )


def test_the_rfm_grid_counts_customers_by_recency_and_frequency(django_assert_max_num_queries):
    a, b, c, d, erased = ContactFactory.create_batch(5)
    _score(a, 5, 5, 5, "champions", monetary=300, days=2)
    _score(b, 5, 5, 4, "champions", monetary=100, days=4)
    _score(c, 1, 3, 2, "at_risk", monetary=50, days=200)
    _score(d, 5, 1, 1, "new", monetary=20, days=1)
    _score(erased, 1, 1, 1, "lost")
    contact_erase(contact=erased, actor=None)
    rfm_widget(_period())  # the connection settles on alpha's schema first
    with django_assert_max_num_queries(1):
        data = rfm_widget(_period())
    assert data.chart is not None and data.chart.kind == "grid"
    grid = {s.label: list(s.values) for s in data.chart.series}
    assert list(grid) == [f"R{r}" for r in (5, 4, 3, 2, 1)]
    assert grid["R5"] == [1, 0, 0, 0, 2]
    assert grid["R1"] == [0, 0, 1, 0, 0]  # the erased contact's 1-1 is not there
    figures = _figures(data)
    assert figures["scored"] == (4, None)
    assert figures["champions"] == (50.0, None) and figures["at_risk"] == (25.0, None)
    rows = {row[0]: row[1:] for row in data.table.rows}
    assert rows["Champions"] == [2, 50.0, Decimal("200.00"), 3]
    assert rows["Lost"] == [0, 0.0, None, None]


def test_no_scores_gives_an_empty_grid_and_no_shares():
    data = rfm_widget(_period())
    figures = _figures(data)
    assert figures["scored"] == (0, None) and figures["champions"] == (None, None)
    assert data.empty_message


def test_the_crm_registers_its_widgets():
    widgets = {key: analytics_widgets[key] for key in ("contacts.customers", "contacts.rfm")}
    assert widgets["contacts.customers"].compute.endswith(".customers_widget")
    assert "contacts.Transaction" in widgets["contacts.customers"].invalidated_by
    assert widgets["contacts.rfm"].compute.endswith(".rfm_widget")
