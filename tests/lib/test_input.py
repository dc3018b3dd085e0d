"""The entrance of the API (cxsuite/lib/input.py), attacked through the real API: nesting,
size, numbers and control characters in bodies, keys, query parameters and headers."""

from __future__ import annotations

import json
import time

import pytest

from apps.contacts.models import Contact, Segment, TimelineEvent
from tests.accounts.test_api import assert_error, session_api_client
from tests.conftest import alpha
from tests.contacts.factories import ContactFactory, CustomFieldFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"
CONTACTS = f"{API}/contacts/"
BATCH = f"{API}/events/batch/"
SEGMENTS = f"{API}/segments/"
WRITE_ENDPOINTS = [CONTACTS, BATCH, SEGMENTS]


def post_text(client, url: str, text: str, **extra):
    return client.post(url, text, content_type="application/json", **extra)


def quickest(send, times: int = 3) -> tuple[object, float]:
    """The answer and the shortest of a few runs (what the work costs, not the machine's mood)."""
    best, response = float("inf"), None
    for _ in range(times):
        started = time.perf_counter()
        response = send()
        best = min(best, time.perf_counter() - started)
    return response, best


# --- nesting and size --------------------------------------------------------------------------
@pytest.mark.parametrize("levels", [100, 1_000, 100_000])
@pytest.mark.parametrize("url", WRITE_ENDPOINTS)
def test_deep_nesting_is_a_400_naming_the_problem(api_client, url, levels):
    for text in ("[" * levels + "]" * levels, '{"a":' * levels + "1" + "}" * levels):
        response, elapsed = quickest(lambda text=text: post_text(api_client, url, text), times=1)
        error = assert_error(response, 400, "parse_error")
        assert "nested deeper than 32 levels" in error["message"]
        assert elapsed < 1.0  # not one parser frame per level


def test_unclosed_deep_nesting_is_a_400_too(api_client):
    response = post_text(api_client, CONTACTS, '{"first_name": ' + "[" * 100_000)
    assert_error(response, 400, "parse_error")


def test_nesting_up_to_the_limit_reaches_the_view(api_client):
    deep = "[" * 30 + "1" + "]" * 30  # inside {"rules": ...}: 31 levels, 32 with the body
    response = post_text(api_client, SEGMENTS, f'{{"name": "Deep", "rules": {deep}}}')
    assert "rules" in assert_error(response, 400, "invalid")["fields"]  # the service's verdict


def test_brackets_inside_strings_do_not_count_as_nesting(api_client):
    contact = ContactFactory()
    note = "[" * 200 + "{" * 200 + '\\"[[[['
    event = {"contact_id": contact.pk, "type": "page.viewed", "properties": {"note": note}}
    response = post_text(api_client, BATCH, json.dumps({"events": [event]}))
    assert response.status_code == 200 and response.json()["created"] == 1, response.content
    with alpha():
        assert TimelineEvent.objects.get(type="page.viewed").properties == {"note": note}


def test_a_body_over_the_limit_is_a_413(api_client, settings):
    settings.API_BODY_MAX_BYTES = 1_000
    body = json.dumps({"first_name": "A", "city": "x" * 1_000})
    error = assert_error(post_text(api_client, CONTACTS, body), 413, "too_large")
    assert "1000 bytes" in error["message"]
    response = post_text(api_client, CONTACTS, json.dumps({"first_name": "A"}))
    assert response.status_code == 201
    with alpha():
        assert Contact.objects.count() == 1


def test_a_body_larger_than_django_reads_is_a_413_not_a_400_page(api_client, settings):
    settings.API_BODY_MAX_BYTES = 10_000_000  # the API's own limit above Django's (2.5 MB)
    body = json.dumps({"first_name": "A", "city": "x" * 3_000_000})
    assert_error(post_text(api_client, CONTACTS, body), 413, "too_large")


def test_a_body_that_is_not_utf8_is_a_400(api_client):
    response = api_client.post(CONTACTS, b'{"first_name": "\xff"}', content_type="application/json")
    assert_error(response, 400, "parse_error")


# --- numbers -----------------------------------------------------------------------------------
def _number_targets():
    """(url, body with the number in it, the field the error names)."""
    rule = {"op": "and", "rules": [{"field": "custom.size", "cmp": "gt", "value": None}]}
    return [
        (CONTACTS, {"first_name": "A", "custom": {"size": None}}, "custom.size"),
        (SEGMENTS, {"name": "Big", "rules": rule}, None),
    ]


@pytest.mark.parametrize("literal", ["1e5000", "1e1000000", "1" + "0" * 5_000, "-1E+99999"])
@pytest.mark.parametrize("as_text", [False, True], ids=["json-number", "string"])
@pytest.mark.parametrize("target", [0, 1], ids=["custom-field", "segment-rule"])
def test_huge_numbers_are_a_quick_400_naming_the_field(api_client, literal, as_text, target):
    CustomFieldFactory(key="size", label="Size", type="number")
    url, body, field = _number_targets()[target]
    placeholder = json.dumps(body).replace("null", '"__N__"')
    text = placeholder.replace('"__N__"', json.dumps(literal) if as_text else literal)
    response, elapsed = quickest(lambda: post_text(api_client, url, text))
    error = assert_error(response, 400, "invalid")
    if field is None:  # a rule value: its path in the body, or the service's name for it
        field = "rules.rules.0.value" if not as_text else "rules.0.value"
    assert field in error["fields"], error["fields"]
    assert "at most 40 digits" in error["fields"][field][0]
    assert elapsed < 0.05
    with alpha():
        assert not Contact.objects.exists() and not Segment.objects.exists()


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e309"])
def test_numbers_that_are_not_finite_are_a_400(api_client, literal):
    text = f'{{"events": [{{"contact_id": 1, "type": "page.viewed", "properties": {{"n": {literal}}}}}]}}'
    error = assert_error(post_text(api_client, BATCH, text), 400, "invalid")
    assert list(error["fields"]) == ["events.0.properties.n"]


def test_ordinary_numbers_pass(api_client):
    CustomFieldFactory(key="size", label="Size", type="number")
    body = {"first_name": "A", "custom": {"size": 12.5}}
    response = post_text(api_client, CONTACTS, json.dumps(body))
    assert response.status_code == 201, response.content
    assert response.json()["custom"] == {"size": 12.5}


# --- control characters ------------------------------------------------------------------------
def test_control_characters_in_a_batch_are_named_by_their_path(api_client):
    contact = ContactFactory()
    events = [
        {"contact_id": contact.pk, "type": "page.viewed", "properties": {"note": "ok"}},
        {"email": "a\u0000@example.test", "type": "page.viewed"},
        {"contact_id": contact.pk, "type": "page.viewed", "properties": {"note": "bad\u0000"}},
        {"contact_id": contact.pk, "type": "page.viewed", "client_event_id": "id\u0000"},
        {"contact_id": contact.pk, "type": "page.viewed", "properties": {"k\u0000ey": 1}},
    ]
    error = assert_error(post_text(api_client, BATCH, json.dumps({"events": events})), 400)
    assert set(error["fields"]) == {
        "events.1.email",
        "events.2.properties.note",
        "events.3.client_event_id",
        "events.4.properties.k\\u0000ey",
    }
    with alpha():
        assert not TimelineEvent.objects.filter(source="api").exists()


def test_tab_and_line_breaks_are_taken_in_text_but_not_in_names(api_client):
    note = {"first_name": "Ada", "city": "Line one\r\nline\ttwo"}
    assert post_text(api_client, CONTACTS, json.dumps(note)).status_code == 201
    error = assert_error(post_text(api_client, CONTACTS, '{"first\\nname": "Ada"}'), 400)
    assert list(error["fields"]) == ["first\\u000aname"]


@pytest.mark.parametrize(
    ("query", "field"),
    [("q=ada%00", "q"), ("tag=v%01ip", "tag"), ("q%00=ada", "q\\u0000"), ("cursor=%00", "cursor")],
)
def test_control_characters_in_query_parameters_are_a_400_naming_them(
    read_api_client, query, field
):
    error = assert_error(read_api_client.get(f"{CONTACTS}?{query}"), 400, "invalid")
    assert list(error["fields"]) == [field]


def test_an_idempotency_key_with_a_control_character_is_a_400_naming_the_header(api_client):
    response = api_client.post(
        CONTACTS, {"first_name": "A"}, format="json", HTTP_IDEMPOTENCY_KEY="key\x00one"
    )
    assert list(assert_error(response, 400)["fields"]) == ["Idempotency-Key"]
    with alpha():
        assert not Contact.objects.exists()


def test_a_form_encoded_body_is_checked_like_json(owner):
    client = session_api_client(owner)
    response = client.post(CONTACTS, {"first_name": "A\x00da"})  # multipart, as a browser
    assert list(assert_error(response, 400)["fields"]) == ["first_name"]
    response = client.post(
        CONTACTS, "first_name=A%01da", content_type="application/x-www-form-urlencoded"
    )
    assert list(assert_error(response, 400)["fields"]) == ["first_name"]


def test_the_body_is_checked_before_the_view_looks_for_the_object(api_client):
    """A refused body is a 400 whatever the view would do first (here: find contact 999999)."""
    response = post_text(api_client, f"{CONTACTS}999999/", '{"city": "\\u0000"}')
    assert response.status_code == 405  # no PUT here: the method is refused before the body
    response = api_client.patch(
        f"{CONTACTS}999999/", '{"city": "\\u0000"}', content_type="application/json"
    )
    assert list(assert_error(response, 400)["fields"]) == ["city"]
