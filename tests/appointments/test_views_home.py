"""The home page's "Today's appointments" card on its own URL: what it lists (in practice
time), roles, the outsider, and its query count."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from tests.appointments.factories import AppointmentFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
TODAY = "/appointments/home/today/"
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
ROLE_CLIENTS = ["owner_client", "manager_client", "staff_client", "viewer_client"]
# Pinned for a test's first request (cold host cache): search_path twice and the host lookup,
# session, user; then today's coming appointments and the day's count
TODAY_QUERIES = 7


def test_the_card_lists_today_s_coming_appointments_in_practice_time(
    owner_client, django_assert_max_num_queries
):
    now = timezone.now().astimezone(BERLIN)
    end_of_day = dt.datetime.combine(now.date(), dt.time(23, 59), tzinfo=BERLIN)
    with schema_context("alpha"):
        later = AppointmentFactory(
            starts_at=min(now + dt.timedelta(minutes=5), end_of_day - dt.timedelta(minutes=30)),
            contact__first_name="Ada",
            contact__last_name="Lovelace",
        )
        AppointmentFactory(starts_at=later.starts_at, status="cancelled")
        for n in range(10):  # more visits do not mean more queries
            AppointmentFactory(starts_at=later.starts_at + dt.timedelta(seconds=n + 1))
        AppointmentFactory(starts_at=now + dt.timedelta(days=1, hours=1))  # tomorrow
    with django_assert_max_num_queries(TODAY_QUERIES):
        response = owner_client.get(TODAY, **HTMX)
    content = response.content.decode()
    assert '<section class="card home-card" id="home-appointments-today"' in content
    assert "<!doctype" not in content  # the card alone, swapped into the home page
    assert "Ada Lovelace" in content
    assert later.starts_at.astimezone(BERLIN).strftime("%H:%M") in content
    assert "11 appointments today in all." in content
    assert 'href="/appointments/"' in content


def test_the_card_says_when_nothing_is_booked_today(owner_client):
    assert "Nothing booked for today." in owner_client.get(TODAY, **HTMX).content.decode()


@pytest.mark.parametrize("client_name", ROLE_CLIENTS)
def test_every_role_sees_the_card(request, client_name):
    response = request.getfixturevalue(client_name).get(TODAY, **HTMX)
    assert response.status_code == 200
    assert ">Today&#x27;s appointments</h2>" in response.content.decode()


def test_the_card_address_opened_itself_leads_home(owner_client):
    response = owner_client.get(TODAY)
    assert response.status_code == 302 and response.url == "/"


def test_the_outsider_and_anonymous_visitors_are_sent_to_log_in(outsider_client, tenant_client):
    with schema_context("alpha"):
        AppointmentFactory(
            starts_at=timezone.now() + dt.timedelta(minutes=5), contact__first_name="Secret"
        )
    for client in (outsider_client, tenant_client):
        response = client.get(TODAY, **HTMX)
        assert response.status_code == 302
        assert response.url == f"/login/?next={TODAY}"
        assert b"Secret" not in response.content
