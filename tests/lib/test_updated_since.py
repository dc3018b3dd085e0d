"""`updated_since` on every list of the API, the same way: documented, honoured, and a bad
value is a 400 naming it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from tests.conftest import alpha
from tests.contacts.factories import ContactFactory, TaskFactory, TimelineEventFactory


def _document() -> dict:
    generated = SchemaGenerator(urlconf="cxsuite.urls_tenant").get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


DOCUMENT = _document()
LISTS = [
    url
    for url, item in DOCUMENT["paths"].items()
    if "get" in item and any(p["name"] == "cursor" for p in item["get"].get("parameters", []))
]


def test_every_list_documents_updated_since():
    assert len(LISTS) >= 15
    for url in LISTS:
        names = [p["name"] for p in DOCUMENT["paths"][url]["get"]["parameters"]]
        assert names.count("updated_since") == 1, url


def _webhook_endpoint() -> int:
    from tests.webhooks.factories import WebhookDeliveryFactory, WebhookEndpointFactory

    endpoint = WebhookEndpointFactory()
    WebhookDeliveryFactory(endpoint=endpoint)
    return endpoint.pk


def _loyalty_member() -> int:
    from apps.loyalty.services.ledger import member_enrol, points_earn

    member = member_enrol(contact=ContactFactory())
    points_earn(member=member, points=10, source="staff", idempotency_key=f"since-{member.pk}")
    return member.pk


# Lists whose `{id}` is not a segment's.
ID_PARAMETERS = {"/api/v1/loyalty/members/{id}/statement/": _loyalty_member}

# What each path parameter of a list stands for: a row made in alpha, with something in it.
PATH_PARAMETERS = {
    "{endpoint_pk}": _webhook_endpoint,
}


def _concrete(url: str, contact_id: int, segment_id: int) -> str:
    if url in ID_PARAMETERS:
        with alpha():
            segment_id = ID_PARAMETERS[url]()
    path = url.replace("{contact_pk}", str(contact_id)).replace("{id}", str(segment_id))
    for name, make in PATH_PARAMETERS.items():
        if name in path:
            with alpha():
                path = path.replace(name, str(make()))
    assert "{" not in path, f"{url}: add its path parameter to PATH_PARAMETERS"
    return path


@pytest.mark.django_db
@pytest.mark.parametrize("url", LISTS)
def test_every_list_honours_updated_since(api_client, url):
    from apps.contacts.services import segment_create

    with alpha():
        contact = ContactFactory()
        TimelineEventFactory(contact=contact)
        TaskFactory(contact=contact)
        segment = segment_create(name="Everyone", kind="static")
    path = _concrete(url, contact.pk, segment.pk)
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    earlier = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).isoformat()
    everything = api_client.get(path)
    assert everything.status_code == 200, (path, everything.content[:300])
    since_before = api_client.get(path, {"updated_since": earlier})
    assert since_before.status_code == 200
    if url == "/api/v1/templates/":  # the shipped wordings were never changed here
        assert since_before.json()["results"] == [
            row for row in everything.json()["results"] if row["updated"] is not None
        ]
    else:
        assert since_before.json()["results"] == everything.json()["results"]
    since_after = api_client.get(path, {"updated_since": later})
    assert since_after.status_code == 200
    assert since_after.json()["results"] == []
    bad = api_client.get(path, {"updated_since": "yesterday"})
    assert bad.status_code == 400
    assert "updated_since" in bad.json()["error"]["fields"]


@pytest.mark.django_db
def test_a_partial_save_moves_the_change_time(tenant):
    task = TaskFactory()
    before = task.updated
    task.title = "Call back"
    task.save(update_fields=["title"])
    task.refresh_from_db()
    assert task.updated > before
