"""The analytics widgets on Home and on their own URLs: who sees which, the period, the
partial and its CSV, and the cache per business that a change of the data drops."""

import csv
import io
import re

import pytest
from django.test import Client
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.accounts.registries import AnalyticsWidget, analytics_widgets
from apps.dashboard.analytics import widget_signals_connect
from cxsuite.lib.analytics import Chart, Figure, Period, Series, Table, WidgetData
from tests.conftest import host_of, logged_in
from tests.contacts.factories import ContactFactory, TimelineEventFactory
from tests.helpers.clock import local, today

HTMX = {"HTTP_HX_REQUEST": "true"}
ACTIVITY = "/analytics/widgets/dashboard.activity/"
PROBE = "/analytics/widgets/probe.owner/"
CALLS = {"n": 0}
# A warm widget: search_path and host, session, user — the figures come from the cache.
WARM_WIDGET_QUERIES = 4


def probe_compute(period: Period) -> WidgetData:
    """An owner-only widget whose figures say how often they were computed."""
    CALLS["n"] += 1
    return WidgetData(
        figures=[
            Figure(key="score", label="Score", value=42.5, previous=40, unit="percent"),
            Figure(key="none", label="Nothing", value=None),
        ],
        chart=Chart(
            kind="bar",
            categories=["Mon", "Tue"],
            series=[Series(label="No-shows", values=[1, None])],
            title="No-shows",
        ),
        table=Table(columns=["Weekday", "No-shows"], rows=[("Mon", 1), ("Tue", None)]),
        by_staff=Table(columns=["Staff", "No-shows"], rows=[("=Zoë", 3)]),
    )


PROBE_WIDGET = AnalyticsWidget(
    id="probe.owner",
    title=_("Probe figures"),
    compute="tests.dashboard.test_analytics.probe_compute",
    order=5,
    min_role=Role.OWNER,
    invalidated_by=("contacts.Contact",),
)


@pytest.fixture
def probe():
    CALLS["n"] = 0
    with analytics_widgets.override(PROBE_WIDGET.id, PROBE_WIDGET):
        widget_signals_connect([PROBE_WIDGET])
        yield PROBE_WIDGET


def _placeholders(content: str) -> list[tuple[str, str]]:
    return re.findall(
        r'<section class="card widget widget--loading" id="([^"]+)"[^>]*hx-get="([^"]+)"',
        content,
    )


# --- Home ---------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_home_offers_a_placeholder_per_widget_the_user_may_see(owner_client, viewer_client, probe):
    owner_page = owner_client.get("/").content.decode()
    assert "How the business is doing" in owner_page
    assert _placeholders(owner_page)[:1] == [
        ("widget-probe-owner", "/analytics/widgets/probe.owner/?period=30d")
    ]
    assert ("widget-dashboard-activity", ACTIVITY + "?period=30d") in _placeholders(owner_page)
    viewer_page = viewer_client.get("/").content.decode()
    assert "probe.owner" not in viewer_page and "Probe figures" not in viewer_page
    assert ("widget-dashboard-activity", ACTIVITY + "?period=30d") in _placeholders(viewer_page)


@pytest.mark.parametrize(("asked", "kept"), [("7d", "7d"), ("12m", "12m"), ("nonsense", "30d")])
@pytest.mark.django_db
def test_the_period_is_kept_in_the_address_and_a_bad_one_is_30_days(owner_client, asked, kept):
    content = owner_client.get(f"/?period={asked}").content.decode()
    assert f'href="/?period={kept}" aria-current="true"' in content
    assert f"{ACTIVITY}?period={kept}" in content


@pytest.mark.django_db
def test_choosing_a_period_by_htmx_swaps_the_analytics_section_alone(owner_client):
    response = owner_client.get("/?period=7d", HTTP_HX_TARGET="analytics", **HTMX)
    content = response.content.decode()
    assert content.startswith('<section class="analytics" id="analytics"')
    assert "<!doctype" not in content.lower() and f"{ACTIVITY}?period=7d" in content
    assert 'hx-push-url="true"' in content


# --- one widget ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_widget_draws_figures_changes_chart_table_and_staff_rows(owner_client, probe):
    response = owner_client.get(PROBE + "?period=7d", **HTMX)
    assert response.status_code == 200
    content = response.content.decode()
    assert content.startswith('<section class="card widget" id="widget-probe-owner"')
    assert "42.5%" in content and "▲ 2.5 pts" in content and "change--good" in content
    assert "None" not in content and "nan" not in content
    assert 'role="img"' in content and 'aria-label="Probe figures · No-shows · 7 days"' in content
    assert "<caption>Probe figures · 7 days</caption>" in content
    assert "<caption>Per staff member</caption>" in content and "=Zoë" in content
    assert 'href="/analytics/widgets/probe.owner.csv?period=7d"' in content


@pytest.mark.django_db
def test_a_widget_reads_in_french(owner_client, owner, probe):
    owner.language = "fr"
    owner.save()
    content = owner_client.get(PROBE, **HTMX).content.decode()
    assert "42,5\u00a0%" in content and "▲ 2,5 pts" in content


@pytest.mark.django_db
def test_the_activity_widget_counts_events_per_local_day(owner_client, tenant):
    contact = ContactFactory()
    day = today()
    TimelineEventFactory(contact=contact, occurred_at=local(day, 0, 30))  # local midnight
    TimelineEventFactory(contact=contact, occurred_at=local(day, 9))
    content = owner_client.get(ACTIVITY + "?period=7d", **HTMX).content.decode()
    assert '<span class="widget__value">2</span>' in content
    assert '<span class="widget__value">0.3</span>' in content  # per day: 2 in 7 days
    assert "<path" in content and "<table" in content


@pytest.mark.django_db
def test_an_empty_widget_says_so(owner_client):
    content = owner_client.get(ACTIVITY, **HTMX).content.decode()
    assert "Nothing has happened yet." in content and "<svg" not in content


@pytest.mark.django_db
def test_the_widget_address_opened_itself_leads_home(owner_client):
    response = owner_client.get(ACTIVITY)
    assert response.status_code == 302 and response.url == "/"
    assert owner_client.post(ACTIVITY, **HTMX).status_code == 405


@pytest.mark.django_db
def test_an_unknown_widget_is_not_found(owner_client):
    assert owner_client.get("/analytics/widgets/nope.nothing/", **HTMX).status_code == 404
    assert owner_client.get("/analytics/widgets/nope.nothing.csv").status_code == 404


@pytest.mark.parametrize("client_name", ["manager_client", "staff_client", "viewer_client"])
@pytest.mark.django_db
def test_a_widget_above_the_user_s_role_is_not_found(request, client_name, probe):
    client = request.getfixturevalue(client_name)
    assert client.get(PROBE, **HTMX).status_code == 404
    assert client.get("/analytics/widgets/probe.owner.csv").status_code == 404
    assert CALLS["n"] == 0


@pytest.mark.django_db
def test_the_outsider_and_anonymous_get_nothing(outsider_client, tenant_client, probe):
    for client in (outsider_client, tenant_client):
        for path in (ACTIVITY, PROBE, "/analytics/widgets/dashboard.activity.csv"):
            response = client.get(path, **HTMX)
            assert response.status_code == 302 and response.url.startswith("/login/")
    assert CALLS["n"] == 0


# --- CSV ----------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_csv_is_named_after_the_business_widget_and_period(owner_client, probe):
    response = owner_client.get("/analytics/widgets/probe.owner.csv?period=7d")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    first, last = today().fromordinal(today().toordinal() - 6), today()
    assert response["Content-Disposition"] == (
        f'attachment; filename="alpha-dental-probe-owner-{first}-{last}.csv"'
    )
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == ["Weekday", "No-shows"] and rows[2] == ["Tue", ""]
    assert rows[-1] == ["'=Zoë", "3"]


# --- cache --------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_warm_widget_reads_only_the_session_and_user(
    owner_client, probe, django_assert_max_num_queries
):
    owner_client.get(PROBE, **HTMX)
    with django_assert_max_num_queries(WARM_WIDGET_QUERIES):
        response = owner_client.get(PROBE, **HTMX)
    assert response.status_code == 200 and CALLS["n"] == 1


@pytest.mark.django_db
def test_each_period_is_cached_on_its_own(owner_client, probe):
    for period in ("7d", "30d", "7d", "30d", "bad"):
        owner_client.get(PROBE + f"?period={period}", **HTMX)
    assert CALLS["n"] == 2  # "bad" is 30 days


@pytest.mark.django_db
def test_a_save_of_a_model_it_reads_drops_the_cache(
    owner_client, probe, django_capture_on_commit_callbacks
):
    owner_client.get(PROBE, **HTMX)
    with schema_context("alpha"), django_capture_on_commit_callbacks(execute=True):
        contact = ContactFactory()
    owner_client.get(PROBE, **HTMX)
    assert CALLS["n"] == 2
    with schema_context("alpha"), django_capture_on_commit_callbacks(execute=True):
        contact.delete()
    owner_client.get(PROBE, **HTMX)
    assert CALLS["n"] == 3


@pytest.mark.django_db
def test_many_saves_in_one_transaction_drop_the_cache_once_even_after_a_rolled_back_savepoint(
    owner_client, probe, django_capture_on_commit_callbacks
):
    from django.db import transaction

    def bumps(callbacks) -> list:
        return [c for c in callbacks if getattr(c, "widget_key", None)]

    with schema_context("alpha"), django_capture_on_commit_callbacks(execute=True) as callbacks:
        ContactFactory.create_batch(3)
    assert [c.widget_key for c in bumps(callbacks)] == [("alpha", "contacts.contact")]

    owner_client.get(PROBE, **HTMX)
    assert CALLS["n"] == 1
    with schema_context("alpha"), django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                ContactFactory()
                raise RuntimeError("undo")
        except RuntimeError:
            pass
        ContactFactory()  # the bump of the undone savepoint went with it: this one registers
    assert len(bumps(callbacks)) == 1
    owner_client.get(PROBE, **HTMX)
    assert CALLS["n"] == 2


@pytest.mark.django_db
def test_a_save_that_is_rolled_back_keeps_the_cache(owner_client, probe):
    owner_client.get(PROBE, **HTMX)
    with schema_context("alpha"):
        ContactFactory()  # the test's transaction never commits: no callback runs
    owner_client.get(PROBE, **HTMX)
    assert CALLS["n"] == 1


@pytest.mark.django_db
def test_another_business_s_save_keeps_this_one_s_cache(
    owner_client, probe, other_tenant, django_capture_on_commit_callbacks
):
    owner_client.get(PROBE, **HTMX)
    with schema_context(other_tenant.schema_name), django_capture_on_commit_callbacks(execute=True):
        ContactFactory()
    owner_client.get(PROBE, **HTMX)
    assert CALLS["n"] == 1


@pytest.mark.django_db
def test_the_cache_is_kept_per_business(owner_client, outsider, other_tenant, probe):
    owner_client.get(PROBE, **HTMX)
    beta = logged_in(Client(HTTP_HOST=host_of(other_tenant)), outsider, other_tenant)
    assert beta.get(PROBE, **HTMX).status_code == 200
    assert CALLS["n"] == 2


# Queries of each registered widget computed cold (the cache empty), on a small business.
WIDGET_QUERIES = {"dashboard.activity": 1}


@pytest.mark.parametrize("widget_id", sorted(analytics_widgets.keys()))
@pytest.mark.django_db
def test_each_registered_widget_computes_in_a_pinned_number_of_queries(
    tenant, widget_id, django_assert_max_num_queries
):
    from apps.dashboard.analytics import period_for, widget_compute

    TimelineEventFactory.create_batch(3)
    widget = analytics_widgets[widget_id]
    for key in ("7d", "12m"):
        with django_assert_max_num_queries(WIDGET_QUERIES.get(widget_id, 6)):
            data = widget_compute(widget, period_for(key))
        assert isinstance(data, WidgetData)


@pytest.mark.django_db
def test_rows_written_without_save_drop_the_cache_after_the_commit(
    owner_client, probe, django_capture_on_commit_callbacks
):
    from apps.contacts.models import Contact
    from cxsuite.lib.analytics import rows_written_send

    owner_client.get(PROBE, **HTMX)
    with schema_context("alpha"), django_capture_on_commit_callbacks(execute=True) as callbacks:
        rows_written_send(Contact)
        rows_written_send(Contact)  # twice in one transaction: one drop
    assert [c.widget_key for c in callbacks if getattr(c, "widget_key", None)] == [
        ("alpha", "contacts.contact")
    ]
    owner_client.get(PROBE, **HTMX)
    assert CALLS["n"] == 2


@pytest.mark.django_db
def test_a_loyalty_earn_written_by_hand_drops_the_program_s_figures(
    tenant, django_capture_on_commit_callbacks
):
    from apps.loyalty.services.points import points_earn
    from tests.loyalty.factories import MemberFactory

    with schema_context("alpha"):
        member = MemberFactory()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            points_earn(member=member, points=10, source="manual", idempotency_key="bump-1")
    keys = {c.widget_key for c in callbacks if getattr(c, "widget_key", None)}
    assert ("alpha", "loyalty.ledgerentry") in keys
