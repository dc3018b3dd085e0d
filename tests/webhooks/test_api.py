"""The webhooks API: managing endpoints (the secret shown once), rotating, replaying, the
delivery log; who may do what (owners and managers, keys; not staff or viewers; never the
other business) and bad input as a 400 naming the field."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from apps.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tests.accounts.test_api import assert_error, session_api_client
from tests.conftest import alpha, api_client_for

from .factories import WebhookAttemptFactory, WebhookDeliveryFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/webhooks"


@pytest.fixture
def objects(tenant):
    with alpha():
        endpoint = WebhookEndpointFactory(url="https://hooks.example.com/in")
        delivery = WebhookDeliveryFactory(endpoint=endpoint, status=DeliveryStatus.FAILED)
        WebhookAttemptFactory(delivery=delivery)
    return {"endpoint": endpoint.pk, "delivery": delivery.pk}


READS = [
    "/",
    "/{endpoint}/",
    "/{endpoint}/deliveries/",
    "/{endpoint}/deliveries/{delivery}/",
]
WRITES = [
    ("post", "/", {"url": "https://partner.example.com/hooks"}),
    ("patch", "/{endpoint}/", {"description": "Changed"}),
    ("post", "/{endpoint}/rotate-secret/", None),
    ("post", "/{endpoint}/replay/", {"since": "{since}"}),
    ("post", "/{endpoint}/deliveries/{delivery}/replay/", None),
    ("delete", "/{endpoint}/", None),
]
WRITE_IDS = [f"{m} {t}" for m, t, _ in WRITES]
ALL = [("get", t, None) for t in READS] + WRITES
ALL_IDS = [f"get {t}" for t in READS] + WRITE_IDS


def send(client, method, template, payload, objects):
    values = {**objects, "since": (timezone.now() - dt.timedelta(hours=1)).isoformat()}
    url = API + template.format(**values)
    if payload is None:
        return getattr(client, method)(url, format="json")
    body = json.loads(json.dumps(payload).replace('"{since}"', json.dumps(values["since"])))
    return getattr(client, method)(url, body, format="json")


def snapshot() -> tuple:
    with alpha():
        return (
            list(
                WebhookEndpoint.objects.order_by("pk").values_list(
                    "pk", "url", "description", "secret_encrypted"
                )
            ),
            list(WebhookDelivery.objects.order_by("pk").values_list("pk", "status")),
        )


@pytest.mark.parametrize(("method", "template", "payload"), WRITES, ids=WRITE_IDS)
def test_every_write_works_for_a_write_key_and_a_manager(
    api_client, manager, objects, method, template, payload
):
    response = send(api_client, method, template, payload, objects)
    assert response.status_code in (200, 201, 202, 204), response.content


@pytest.mark.parametrize("template", READS)
def test_managers_and_keys_read(manager, read_api_client, objects, template):
    url = API + template.format(**objects)
    assert session_api_client(manager).get(url).status_code == 200
    assert read_api_client.get(url).status_code == 200


@pytest.mark.parametrize(("method", "template", "payload"), WRITES, ids=WRITE_IDS)
def test_read_key_cannot_write(read_api_client, objects, method, template, payload):
    before = snapshot()
    assert_error(send(read_api_client, method, template, payload, objects), 403)
    assert snapshot() == before


@pytest.mark.parametrize(("method", "template", "payload"), ALL, ids=ALL_IDS)
@pytest.mark.parametrize("role", ["viewer", "staff_member"])
def test_staff_and_viewers_are_refused(request, role, objects, method, template, payload):
    user = request.getfixturevalue(role)
    before = snapshot()
    assert_error(send(session_api_client(user), method, template, payload, objects), 403)
    assert snapshot() == before


@pytest.mark.parametrize(("method", "template", "payload"), ALL, ids=ALL_IDS)
def test_outsider_key_is_401_everywhere(outsider_api_client, objects, method, template, payload):
    before = snapshot()
    response = send(outsider_api_client, method, template, payload, objects)
    assert_error(response, 401, "authentication_failed")
    assert "hooks.example.com" not in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(("method", "template", "payload"), ALL, ids=ALL_IDS)
def test_outsider_session_is_refused_everywhere(outsider, objects, method, template, payload):
    client = session_api_client(outsider, slug="beta")
    client.defaults["HTTP_HOST"] = "alpha.localhost"
    before = snapshot()
    response = send(client, method, template, payload, objects)
    assert response.status_code in (401, 403)
    assert snapshot() == before


@pytest.mark.parametrize("template", READS[1:])
def test_the_other_business_rows_are_404_with_its_own_key(other_tenant, objects, template):
    client = api_client_for(other_tenant, ["read", "write"])
    assert_error(client.get(API + template.format(**objects)), 404, "not_found")


def test_creating_an_endpoint_shows_its_secret_once(api_client):
    response = api_client.post(
        API + "/",
        {"url": "https://partner.example.com/hooks", "event_types": ["appointment.booked"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert body["event_types"] == ["appointment.booked"] and body["is_active"] is True
    again = api_client.get(f"{API}/{body['id']}/").json()
    assert "secret" not in again
    assert body["secret"] not in json.dumps(api_client.get(API + "/").json())


def test_rotating_gives_a_new_secret_and_the_overlap(api_client, objects):
    response = api_client.post(f"{API}/{objects['endpoint']}/rotate-secret/", format="json")
    body = response.json()
    assert body["secret"].startswith("whsec_")
    until = dt.datetime.fromisoformat(body["previous_secret_expires_at"].replace("Z", "+00:00"))
    assert dt.timedelta(hours=23) < until - timezone.now() <= dt.timedelta(hours=24)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"url": "not a url"}, "url"),
        ({"url": "ftp://partner.example.com/"}, "url"),
        ({"url": "https://user:pw@partner.example.com/"}, "url"),
        ({"url": "https://partner.example.com/", "event_types": ["no.such"]}, "event_types"),
        ({"url": "https://partner.example.com/", "colour": "red"}, "colour"),
        ({}, "url"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_client, payload, field):
    error = assert_error(api_client.post(API + "/", payload, format="json"), 400)
    assert field in error["fields"]


def test_a_replay_too_far_back_or_in_the_future_is_refused(api_client, objects):
    url = f"{API}/{objects['endpoint']}/replay/"
    for since in (timezone.now() - dt.timedelta(days=31), timezone.now() + dt.timedelta(hours=1)):
        error = assert_error(api_client.post(url, {"since": since.isoformat()}, format="json"), 400)
        assert "since" in error["fields"]


def test_a_turned_off_endpoint_cannot_be_replayed(api_client, objects):
    api_client.patch(f"{API}/{objects['endpoint']}/", {"is_active": False}, format="json")
    url = f"{API}/{objects['endpoint']}/deliveries/{objects['delivery']}/replay/"
    error = assert_error(api_client.post(url, format="json"), 400)
    assert "endpoint" in error["fields"]


def test_the_delivery_log_filters_and_shows_the_attempts(api_client, objects):
    with alpha():
        endpoint = WebhookEndpoint.objects.get(pk=objects["endpoint"])
        for _ in range(3):
            WebhookDeliveryFactory(endpoint=endpoint, status=DeliveryStatus.SUCCEEDED)
    url = f"{API}/{objects['endpoint']}/deliveries/"
    assert len(api_client.get(url).json()["results"]) == 4
    failed = api_client.get(url + "?status=failed").json()["results"]
    assert [d["id"] for d in failed] == [objects["delivery"]]
    detail = api_client.get(f"{url}{objects['delivery']}/").json()
    assert detail["log"][0]["response_status"] == 500
    assert detail["payload"]["type"] == detail["event_type"]


def test_the_delivery_list_has_a_pinned_query_count(
    api_client, objects, django_assert_max_num_queries
):
    with alpha():
        endpoint = WebhookEndpoint.objects.get(pk=objects["endpoint"])
        for _ in range(20):
            WebhookDeliveryFactory(endpoint=endpoint)
    with django_assert_max_num_queries(12):
        response = api_client.get(f"{API}/{objects['endpoint']}/deliveries/")
    assert response.status_code == 200


def test_a_delivery_of_another_endpoint_is_404(api_client, objects):
    with alpha():
        other = WebhookEndpointFactory()
    url = f"{API}/{other.pk}/deliveries/{objects['delivery']}/"
    assert_error(api_client.get(url), 404)
