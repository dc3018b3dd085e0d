"""The no-show widget on a small known data set, with the clock held on the last day of a
week-long period at 23:45 in Berlin (alpha's zone)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.registries import analytics_widgets
from apps.appointments.selectors.analytics import no_shows_widget
from apps.contacts.services import contact_erase
from cxsuite.lib.analytics import period_ending
from tests.appointments.factories import AppointmentFactory, StaffMemberFactory
from tests.contacts.factories import ContactFactory
from tests.helpers.clock import BERLIN, clock_at, local

pytestmark = pytest.mark.django_db

LAST = dt.date(2026, 6, 17)  # a Wednesday: the period is Thursday 11 to Wednesday 17 June
FIRST = LAST - dt.timedelta(days=6)
MONDAY, TUESDAY = dt.date(2026, 6, 15), dt.date(2026, 6, 16)


@pytest.fixture(autouse=True)
def _late_on_the_last_day(tenant):
    with clock_at(local(LAST, 23, 45)):
        yield


def _period():
    return period_ending("7d", now=timezone.now(), zone=BERLIN)


def _figures(data) -> dict[str, tuple]:
    return {f.key: (f.value, f.previous) for f in data.figures}


@pytest.fixture
def known_set():
    ada = StaffMemberFactory(name="Ada Ames")
    bo = StaffMemberFactory(name="Bo Berg")

    def visit(staff, starts_at, status):
        return AppointmentFactory(staff=staff, starts_at=starts_at, status=status)

    visit(ada, local(MONDAY, 9), "completed")
    visit(ada, local(MONDAY, 9, 30), "no_show")
    visit(ada, local(TUESDAY, 14), "completed")
    visit(bo, local(LAST, 23, 30), "no_show")  # 23:30 local on the last day counts
    visit(bo, local(FIRST, 10), "checked_in")
    visit(bo, local(TUESDAY, 11), "cancelled")  # no outcome: left out
    visit(bo, local(TUESDAY, 12), "booked")  # nobody marked it: left out
    erased = visit(bo, local(MONDAY, 15), "no_show")
    contact_erase(contact=erased.contact, actor=None)  # an erased contact is not counted
    visit(ada, local(FIRST - dt.timedelta(days=3), 9), "completed")  # the period before
    visit(ada, local(FIRST - dt.timedelta(days=1), 23, 30), "no_show")  # ... its last evening
    with schema_context("beta"):  # another business's appointments are not alpha's
        AppointmentFactory(starts_at=local(MONDAY, 9), status="no_show")


def test_no_show_rate_on_a_known_set(known_set):
    figures = _figures(no_shows_widget(_period()))
    # this period: 5 with an outcome (2 completed, 1 checked in, 2 no-shows); before: 1 of 2
    assert figures["no_show_rate"] == (40.0, 50.0)
    assert figures["no_shows"] == (2, 1) and figures["appointments"] == (5, 2)


def test_no_shows_by_weekday_and_hour_in_the_business_s_zone(known_set):
    data = no_shows_widget(_period())
    chart = data.chart
    assert chart is not None and chart.kind == "grid" and chart.unit == "percent"
    assert len(chart.categories) == 15  # 09:00 to 23:00, local hours
    grid = {s.label: list(s.values) for s in chart.series}
    assert list(grid) == [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ]
    assert grid["Monday"][0] == 50.0  # 09:00 and 09:30: one of two missed
    assert grid["Tuesday"][14 - 9] == 0.0
    assert grid["Wednesday"][23 - 9] == 100.0  # 21:30 UTC is 23:30 in Berlin
    assert grid["Thursday"][10 - 9] == 0.0
    assert grid["Friday"] == [None] * 15
    assert data.table is not None and len(data.table.rows) == 4
    assert data.table.rows[0][2:] == [2, 1, 50.0]


def test_no_shows_by_staff_member(known_set):
    by_staff = no_shows_widget(_period()).by_staff
    assert by_staff is not None
    assert [list(row) for row in by_staff.rows] == [
        ["Ada Ames", 3, 1, 33.3, 50.0],
        ["Bo Berg", 2, 1, 50.0, None],
    ]


def test_no_outcome_gives_no_rate_not_zero():
    AppointmentFactory(starts_at=local(MONDAY, 9), status="cancelled")
    data = no_shows_widget(_period())
    assert _figures(data)["no_show_rate"] == (None, None)
    assert data.chart is not None and list(data.chart.categories) == []
    assert data.by_staff is not None and list(data.by_staff.rows) == []
    assert data.empty_message


def test_the_no_show_widget_is_two_queries_whatever_the_data(
    known_set, django_assert_max_num_queries
):
    no_shows_widget(_period())  # the connection settles on alpha's schema first
    with django_assert_max_num_queries(2):
        no_shows_widget(period_ending("12m", now=timezone.now(), zone=BERLIN))


def test_appointments_register_the_widget():
    widget = analytics_widgets["appointments.no_shows"]
    assert widget.compute == "apps.appointments.selectors.analytics.no_shows_widget"
    assert "appointments.Appointment" in widget.invalidated_by


def test_an_erased_contact_s_completed_visit_is_no_activity():
    from apps.appointments.selectors.analytics import visits_completed

    kept, gone = ContactFactory.create_batch(2)
    for contact in (kept, gone):
        AppointmentFactory(contact=contact, starts_at=local(MONDAY, 9), status="completed")
    rows = list(visits_completed(local(FIRST, 0), local(LAST, 0)))
    assert {row["contact_id"] for row in rows} == {kept.pk, gone.pk}  # the CRM drops erased ones
    assert list(visits_completed(None, local(MONDAY, 9))) == []
