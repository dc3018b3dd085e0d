"""API: /api/v1/segments/ — list, read, create and change (rule errors name the path), delete,
members (cursor-paged contacts), count, static list members, roles and outsiders."""

import pytest
from django_tenants.utils import schema_context

from apps.contacts.models import RfmScore, Segment, SegmentMember
from apps.contacts.services import segment_create, segment_members_add
from tests.accounts.factories import UserFactory
from tests.conftest import alpha
from tests.contacts.factories import ContactFactory, SegmentFactory

SEGMENTS = "/api/v1/segments/"
BERLIN = {"op": "and", "rules": [{"field": "city", "cmp": "eq", "value": "Berlin"}]}
pytestmark = pytest.mark.django_db


def fields_of(response, status=400) -> dict:
    assert response.status_code == status, response.content
    return response.json()["error"]["fields"]


def test_list_and_retrieve(api_client, django_assert_max_num_queries):
    with alpha():
        for n in range(3):
            SegmentFactory(name=f"S{n}", rules=BERLIN)
    # search_path twice, host, key and its last use, then the segments
    with django_assert_max_num_queries(6):
        response = api_client.get(SEGMENTS)
    assert response.status_code == 200
    names = [row["name"] for row in response.json()["results"]]
    assert sorted(names) == ["S0", "S1", "S2"]
    pk = response.json()["results"][0]["id"]
    detail = api_client.get(f"{SEGMENTS}{pk}/").json()
    assert detail["rules"] == BERLIN and detail["kind"] == "dynamic"
    assert api_client.get(f"{SEGMENTS}999999/").status_code == 404


def test_create_stores_checked_rules(api_client):
    response = api_client.post(SEGMENTS, {"name": "Berlin", "rules": BERLIN}, format="json")
    assert response.status_code == 201, response.content
    with alpha():
        segment = Segment.objects.get(pk=response.json()["id"])
    assert segment.rules == BERLIN


def test_create_with_bad_rules_is_a_400_naming_the_rule_path(api_client):
    rules = {
        "op": "and",
        "rules": [
            {"field": "city", "cmp": "eq", "value": "Berlin"},
            {"op": "or", "rules": [{"field": "created", "cmp": "within_last", "value": "x"}]},
        ],
    }
    response = api_client.post(SEGMENTS, {"name": "Bad", "rules": rules}, format="json")
    assert list(fields_of(response)) == ["rules.1.rules.0.value"]
    response = api_client.post(SEGMENTS, {"name": "", "rules": "nope"}, format="json")
    assert set(fields_of(response)) >= {"name"}
    response = api_client.post(SEGMENTS, {"name": "X", "rules": BERLIN, "extra": 1}, format="json")
    assert "extra" in fields_of(response)
    with alpha():
        assert not Segment.objects.exists()


def test_rules_that_are_not_an_object_are_a_400_not_a_500(api_client):
    for rules in ("nope", [1, 2], {"op": "and", "rules": "x"}, {"op": "and", "rules": [5]}):
        response = api_client.post(SEGMENTS, {"name": "X", "rules": rules}, format="json")
        assert response.status_code == 400, (rules, response.content)


def test_partial_update_checks_rules_and_refuses_a_kind_change(api_client):
    with alpha():
        segment = segment_create(name="Berlin", rules=BERLIN)
    url = f"{SEGMENTS}{segment.pk}/"
    response = api_client.patch(
        url, {"rules": {"op": "or", "rules": [{"field": "tags", "cmp": "has"}]}}, format="json"
    )
    assert list(fields_of(response)) == ["rules.0.value"]
    response = api_client.patch(url, {"kind": "static"}, format="json")
    assert "kind" in fields_of(response)
    response = api_client.patch(url, {"name": "Berliners"}, format="json")
    assert response.status_code == 200 and response.json()["name"] == "Berliners"
    assert response.json()["rules"] == BERLIN


def test_members_are_cursor_paged_contacts_and_count_matches(
    api_client, django_assert_max_num_queries
):
    with alpha():
        berliners = [ContactFactory(city="Berlin") for _ in range(5)]
        ContactFactory(city="Bonn")
        RfmScore.objects.create(
            contact=berliners[0],
            recency_days=1,
            frequency=1,
            monetary=1,
            r=5,
            f=1,
            m=1,
            segment="new",
            computed_at="2026-01-01T00:00:00Z",
        )
        segment = segment_create(name="Berlin", rules=BERLIN)
    # search_path twice, host, key and its last use; then the segment and one page of members
    with django_assert_max_num_queries(7):
        page = api_client.get(f"{SEGMENTS}{segment.pk}/members/?page_size=3")
    assert page.status_code == 200
    body = page.json()
    assert len(body["results"]) == 3 and body["next"]
    rest = api_client.get(body["next"]).json()["results"]
    ids = {row["id"] for row in body["results"]} | {row["id"] for row in rest}
    assert ids == {c.pk for c in berliners}
    assert {"email", "consent", "rfm"} <= set(body["results"][0])
    assert api_client.get(f"{SEGMENTS}{segment.pk}/count/").json() == {"count": 5}


def test_static_list_members_add_remove_and_delete(api_client):
    response = api_client.post(SEGMENTS, {"name": "VIP", "kind": "static"}, format="json")
    pk = response.json()["id"]
    with alpha():
        a, b = ContactFactory(), ContactFactory()
    add = api_client.post(
        f"{SEGMENTS}{pk}/members/add/", {"contact_ids": [a.pk, b.pk, 99999]}, format="json"
    )
    assert add.status_code == 200 and add.json() == {"changed": 2}
    assert api_client.get(f"{SEGMENTS}{pk}/count/").json() == {"count": 2}
    remove = api_client.post(
        f"{SEGMENTS}{pk}/members/remove/", {"contact_ids": [a.pk]}, format="json"
    )
    assert remove.json() == {"changed": 1}
    bad = api_client.post(f"{SEGMENTS}{pk}/members/add/", {"contact_ids": "x"}, format="json")
    assert "contact_ids" in fields_of(bad)
    assert api_client.delete(f"{SEGMENTS}{pk}/").status_code == 204
    with alpha():
        assert not Segment.objects.filter(pk=pk).exists()
        assert SegmentMember.objects.count() == 0


def test_adding_members_to_a_rule_segment_is_a_400(api_client):
    with alpha():
        segment = segment_create(name="Berlin", rules=BERLIN)
        contact = ContactFactory()
    response = api_client.post(
        f"{SEGMENTS}{segment.pk}/members/add/", {"contact_ids": [contact.pk]}, format="json"
    )
    assert "segment" in fields_of(response)


def test_read_key_and_viewer_cannot_write(read_api_client, viewer):
    assert read_api_client.get(SEGMENTS).status_code == 200
    response = read_api_client.post(SEGMENTS, {"name": "X", "rules": BERLIN}, format="json")
    assert response.status_code == 403
    from rest_framework.test import APIClient

    client = APIClient(HTTP_HOST="alpha.localhost")
    with alpha():
        client.force_login(viewer)
        segment = segment_create(name="Static", kind="static")
    assert client.get(f"{SEGMENTS}{segment.pk}/count/").status_code == 200
    assert client.patch(f"{SEGMENTS}{segment.pk}/", {"name": "Y"}, format="json").status_code == 403
    assert client.delete(f"{SEGMENTS}{segment.pk}/").status_code == 403
    with alpha():
        assert Segment.objects.filter(name="Static").exists()


def test_staff_session_can_create(tenant):
    from rest_framework.test import APIClient

    with alpha():
        staff = UserFactory(role="staff")
    client = APIClient(HTTP_HOST="alpha.localhost")
    with alpha():
        client.force_login(staff)
    response = client.post(SEGMENTS, {"name": "Mine", "rules": BERLIN}, format="json")
    assert response.status_code == 201
    with alpha():
        assert Segment.objects.get(name="Mine").created_by == staff


@pytest.mark.parametrize(
    "method,suffix",
    [
        ("get", ""),
        ("get", "{pk}/"),
        ("get", "{pk}/members/"),
        ("get", "{pk}/count/"),
        ("post", ""),
        ("patch", "{pk}/"),
        ("delete", "{pk}/"),
        ("post", "{pk}/members/add/"),
    ],
)
def test_outsider_key_gets_401(outsider_api_client, method, suffix):
    with alpha():
        segment = segment_create(name="Static", kind="static")
        contact = ContactFactory()
        segment_members_add(segment=segment, contact_ids=[contact.pk])
    url = SEGMENTS + suffix.format(pk=segment.pk)
    response = getattr(outsider_api_client, method)(url, {"name": "X"}, format="json")
    assert response.status_code == 401
    with alpha():
        assert Segment.objects.filter(pk=segment.pk, name="Static").exists()


def test_outsider_session_gets_no_segments(outsider, tenant):
    from rest_framework.test import APIClient

    client = APIClient(HTTP_HOST="beta.localhost")
    with schema_context("beta"):
        client.force_login(outsider)
    client.defaults["HTTP_HOST"] = "alpha.localhost"
    with alpha():
        SegmentFactory()
    assert client.get(SEGMENTS).status_code in (401, 403)
