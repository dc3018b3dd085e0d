"""The journeys API: list, read, activate, pause; enrollments (enter, exit, list); offers.
Read keys read, the outsider's key is refused everywhere."""

from __future__ import annotations

import pytest

from apps.journeys.models import Enrollment
from tests.conftest import alpha

from .factories import live_journey, reachable_contact, send


@pytest.fixture
def journey(tenant):
    with alpha():
        return live_journey(steps=[send("s1")])


def test_journeys_are_listed_and_read(api_client, journey, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = api_client.get("/api/v1/journeys/")
    assert response.status_code == 200
    assert response.json()["results"][0]["steps"][0]["id"] == "s1"
    assert api_client.get(f"/api/v1/journeys/{journey.pk}/").json()["status"] == "active"


def test_pause_and_activate(api_client, journey):
    assert api_client.post(f"/api/v1/journeys/{journey.pk}/pause/").json()["status"] == "paused"
    response = api_client.post(f"/api/v1/journeys/{journey.pk}/pause/")
    assert response.status_code == 400
    assert api_client.post(f"/api/v1/journeys/{journey.pk}/resume/").json()["status"] == "active"


def test_enter_list_and_exit_a_contact(api_client, journey):
    with alpha():
        contact = reachable_contact()
    response = api_client.post(
        "/api/v1/journey-enrollments/",
        {"journey": journey.pk, "contact": contact.pk, "properties": {"order_id": "5"}},
        format="json",
    )
    assert response.status_code == 201, response.json()
    enrollment = response.json()
    assert enrollment["entry_key"] == "order_id:5"
    again = api_client.post(
        "/api/v1/journey-enrollments/",
        {"journey": journey.pk, "contact": contact.pk, "properties": {"order_id": "5"}},
        format="json",
    )
    assert again.status_code == 400 and "contact" in again.json()["error"]["fields"]
    listed = api_client.get("/api/v1/journey-enrollments/", {"journey": journey.pk}).json()
    assert [row["id"] for row in listed["results"]] == [enrollment["id"]]
    out = api_client.post(
        f"/api/v1/journey-enrollments/{enrollment['id']}/exit/", {}, format="json"
    )
    assert out.json()["status"] == "exited"


def test_offers_are_created_and_listed(api_client, tenant):
    response = api_client.post(
        "/api/v1/offers/",
        {"name": "Plan", "text": "Pay in parts", "accepted_event": "invoice.paid", "priority": 3},
        format="json",
    )
    assert response.status_code == 201
    assert api_client.get("/api/v1/offers/").json()["results"][0]["name"] == "Plan"
    bad = api_client.post(
        "/api/v1/offers/", {"name": "", "text": "x", "accepted_event": "a"}, format="json"
    )
    assert bad.status_code == 400


def test_a_read_key_cannot_write(read_api_client, journey):
    assert read_api_client.get("/api/v1/journeys/").status_code == 200
    assert read_api_client.post(f"/api/v1/journeys/{journey.pk}/pause/").status_code == 403


def test_the_outsider_key_is_refused(outsider_api_client, journey):
    for method, url in [
        ("get", "/api/v1/journeys/"),
        ("get", f"/api/v1/journeys/{journey.pk}/"),
        ("post", f"/api/v1/journeys/{journey.pk}/pause/"),
        ("get", "/api/v1/journey-enrollments/"),
        ("post", "/api/v1/journey-enrollments/"),
        ("get", "/api/v1/offers/"),
        ("post", "/api/v1/offers/"),
    ]:
        assert getattr(outsider_api_client, method)(url, {}, format="json").status_code == 401
    with alpha():
        assert not Enrollment.objects.exists()
