"""The webhook settings pages: owners and managers only (staff and viewers 403, the other
business's member never in), the secret shown once, the delivery log as a page and as the
htmx table, replays and switches through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tests.conftest import alpha

from .factories import WebhookAttemptFactory, WebhookDeliveryFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(tenant):
    with alpha():
        endpoint = WebhookEndpointFactory(url="https://hooks.example.com/in")
        delivery = WebhookDeliveryFactory(endpoint=endpoint, status=DeliveryStatus.FAILED)
        WebhookAttemptFactory(delivery=delivery)
    return {"pk": endpoint.pk, "delivery_pk": delivery.pk}


PAGES = [
    ("webhooks:endpoint_list", []),
    ("webhooks:endpoint_detail", ["pk"]),
    ("webhooks:delivery_detail", ["pk", "delivery_pk"]),
]
POSTS = [
    (
        "webhooks:endpoint_list",
        [],
        {"endpoint-url": "https://p.example.com/", "endpoint-all_types": "on"},
    ),
    (
        "webhooks:endpoint_update",
        ["pk"],
        {"endpoint-url": "https://changed.example.com/", "endpoint-all_types": "on"},
    ),
    ("webhooks:endpoint_rotate", ["pk"], {}),
    ("webhooks:endpoint_switch", ["pk"], {}),
    ("webhooks:endpoint_replay", ["pk"], {"replay-since": "{since}"}),
    ("webhooks:delivery_replay", ["pk", "delivery_pk"], {}),
    ("webhooks:endpoint_delete", ["pk"], {}),
]
EVERY = [(n, a, None) for n, a in PAGES] + POSTS
EVERY_IDS = [n for n, _a, _d in EVERY]


def url_of(name, args, objects):
    return reverse(name, args=[objects[a] for a in args])


def request(client, name, args, data, objects):
    url = url_of(name, args, objects)
    if data is None:
        return client.get(url)
    since = (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    return client.post(url, {k: v.replace("{since}", since) for k, v in data.items()})


def snapshot():
    with alpha():
        return (
            list(WebhookEndpoint.objects.values_list("pk", "url", "secret_encrypted", "is_active")),
            list(WebhookDelivery.objects.values_list("pk", "status", "next_attempt_at")),
        )


@pytest.mark.parametrize(("name", "args", "data"), EVERY, ids=EVERY_IDS)
@pytest.mark.parametrize("who", ["viewer_client", "staff_client"])
def test_staff_and_viewers_get_403(request_fixture, who, objects, name, args, data):
    before = snapshot()
    response = request(request_fixture(who), name, args, data, objects)
    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize(("name", "args", "data"), EVERY, ids=EVERY_IDS)
def test_the_outsider_never_gets_in(outsider_client, objects, name, args, data):
    before = snapshot()
    response = request(outsider_client, name, args, data, objects)
    assert response.status_code in (302, 403, 404)
    assert b"hooks.example.com" not in response.content
    assert snapshot() == before


@pytest.mark.parametrize(("name", "args", "data"), EVERY, ids=EVERY_IDS)
def test_a_manager_can_do_everything(manager_client, objects, name, args, data):
    response = request(manager_client, name, args, data, objects)
    assert response.status_code in (200, 302), response.content[:500]


@pytest.fixture
def request_fixture(request):
    return request.getfixturevalue


def test_adding_an_endpoint_shows_its_secret_once(owner_client):
    response = owner_client.post(
        reverse("webhooks:endpoint_list"),
        {
            "endpoint-url": "https://partner.example.com/hooks",
            "endpoint-event_types": ["appointment.booked", "appointment.cancelled"],
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "whsec_" in page and "shown only this once" in page
    with alpha():
        endpoint = WebhookEndpoint.objects.get()
    assert endpoint.event_types == ["appointment.booked", "appointment.cancelled"]
    again = owner_client.get(reverse("webhooks:endpoint_detail", args=[endpoint.pk]))
    assert "whsec_" not in again.content.decode()


def test_bad_input_is_shown_on_the_field(owner_client):
    url = reverse("webhooks:endpoint_list")
    response = owner_client.post(url, {"endpoint-url": "https://p.example.com/"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"event_types"}  # nothing chosen
    response = owner_client.post(url, {"endpoint-url": "nope", "endpoint-all_types": "on"})
    assert response.context["form"].errors.keys() == {"url"}  # from the service
    assert "Enter a full http" in response.content.decode()
    with alpha():
        assert not WebhookEndpoint.objects.exists()


def test_the_log_filters_as_an_htmx_table(owner_client, objects):
    with alpha():
        endpoint = WebhookEndpoint.objects.get(pk=objects["pk"])
        WebhookDeliveryFactory(
            endpoint=endpoint, status=DeliveryStatus.SUCCEEDED, event_type="note.added"
        )
    url = reverse("webhooks:endpoint_detail", args=[objects["pk"]]) + "?status=failed"
    response = owner_client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "webhooks/_delivery_table.html"
    assert len(response.context["page"].object_list) == 1


def test_the_endpoint_page_has_a_pinned_query_count(
    owner_client, objects, django_assert_max_num_queries
):
    with alpha():
        endpoint = WebhookEndpoint.objects.get(pk=objects["pk"])
        for _ in range(30):
            WebhookDeliveryFactory(endpoint=endpoint)
    with django_assert_max_num_queries(20):
        response = owner_client.get(reverse("webhooks:endpoint_detail", args=[objects["pk"]]))
    assert response.status_code == 200


def test_the_list_page_of_a_new_business_is_empty_but_clear(owner_client):
    response = owner_client.get(reverse("webhooks:endpoint_list"))
    assert "No webhook endpoints yet" in response.content.decode()


def test_the_delivery_page_shows_the_request_and_the_answers(owner_client, objects):
    response = owner_client.get(
        reverse("webhooks:delivery_detail", args=[objects["pk"], objects["delivery_pk"]])
    )
    page = response.content.decode()
    assert "webhook-id" in page and "Internal Server Error" in page and "120 ms" in page


def test_a_new_secret_by_htmx_answers_the_secret_card_only(owner_client, objects):
    url = reverse("webhooks:endpoint_rotate", args=[objects["pk"]])
    response = owner_client.post(url, HTTP_HX_REQUEST="true")
    assert [t.name for t in response.templates][0] == "webhooks/_secret.html"
    assert "whsec_" in response.content.decode()


def test_removing_by_htmx_sends_the_browser_to_the_list(owner_client, objects):
    url = reverse("webhooks:endpoint_delete", args=[objects["pk"]])
    response = owner_client.post(url, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("webhooks:endpoint_list")
    with alpha():
        assert not WebhookEndpoint.objects.exists()
