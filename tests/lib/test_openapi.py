"""The schema documents each operation's error answers from what the operation is, and the
bodies and headers the API really sends on those answers match what it documents."""

from __future__ import annotations

import json

import jsonschema
import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import IdempotencyRecord
from apps.contacts import services
from cxsuite.lib.openapi import STANDARD_ERRORS
from tests.conftest import alpha, host_of
from tests.contacts.factories import ContactFactory

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")
TASKS = "/api/v1/tasks/"


@pytest.fixture
def document(tenant_client) -> dict:
    return json.loads(tenant_client.get("/api/schema/?format=json").content)


def operations(document: dict):
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def expected_errors(path: str, method: str) -> set[str]:
    with_body = method in ("post", "put", "patch")
    codes = {"400", "401", "403", "429", "500"}
    if "{" in path:
        codes.add("404")
    if method == "post":
        codes |= {"409", "422"}
    if with_body:
        codes |= {"413", "415"}
    return codes


def test_every_operation_documents_exactly_the_errors_it_can_answer(document):
    count = 0
    for path, method, operation in operations(document):
        errors = {code for code in operation["responses"] if code >= "400"}
        assert errors == expected_errors(path, method), f"{method.upper()} {path}"
        count += 1
    assert count >= 59


def test_standard_errors_are_one_answer_each_with_the_error_body(document):
    answers = document["components"]["responses"]
    assert set(answers) == {error.name for error in STANDARD_ERRORS}
    for error in STANDARD_ERRORS:
        body = answers[error.name]["content"]["application/json"]["schema"]["$ref"]
        assert body.endswith("/ServerError" if error.status == 500 else "/Error")
    assert "Retry-After" in answers["RateLimited"]["headers"]
    assert "X-Request-Id" in answers["ServerError"]["headers"]
    list_errors = document["paths"]["/api/v1/contacts/"]["get"]["responses"]
    assert list_errors["400"] == {"$ref": "#/components/responses/Invalid"}


def test_an_answer_an_operation_declares_is_kept_beside_the_standard_one(document):
    conflict = document["paths"]["/api/v1/appointments/"]["post"]["responses"]["409"]
    either = conflict["content"]["application/json"]["schema"]["anyOf"]
    assert [one["$ref"].rsplit("/", 1)[1] for one in either] == ["SlotTakenError", "Error"]
    assert "next_slots" in conflict["description"] and "Idempotency-Key" in conflict["description"]


def test_posts_document_the_idempotency_key_and_every_answer_the_rate_limit(document):
    for path, method, operation in operations(document):
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        assert ("Idempotency-Key" in headers) is (method == "post"), f"{method} {path}"
        success = next(r for code, r in operation["responses"].items() if code < "300")
        assert "X-RateLimit-Remaining" in success.get("headers", {}), f"{method} {path}"
    assert document["components"]["headers"]["Retry-After"]["required"] is True


# --- what the API really answers ---------------------------------------------------------------
def assert_documented(response, document: dict, path: str, method: str) -> None:
    """The answer's status is documented for the operation and its body matches the schema."""
    answers = document["paths"][path][method]["responses"]
    code = str(response.status_code)
    assert code in answers, f"{code} is not documented for {method} {path}"
    answer = answers[code]
    if "$ref" in answer:
        answer = document["components"]["responses"][answer["$ref"].rsplit("/", 1)[1]]
    schema = answer["content"]["application/json"]["schema"]
    jsonschema.validate(response.json(), {**schema, "components": document["components"]})
    for name, header in answer.get("headers", {}).items():
        header = document["components"]["headers"].get(name, header)
        if header.get("required"):
            assert response.has_header(name), name


def test_each_standard_error_the_api_sends_is_the_documented_one(
    tenant, document, api_client, read_api_client, settings, monkeypatch
):
    contact = ContactFactory()
    body = json.dumps({"contact": contact.pk, "title": "Call back"})

    def post(client, data=body, content_type="application/json", **kwargs):
        return client.post(TASKS, data, content_type=content_type, **kwargs)

    answers = {
        400: post(api_client, data="{"),
        401: APIClient(HTTP_HOST=host_of(tenant)).get(TASKS),
        403: post(read_api_client),
        413: post(api_client, data="[" + " " * settings.API_BODY_MAX_BYTES + "]"),
        415: post(api_client, content_type="text/plain"),
    }
    first = post(api_client, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 201
    other = json.dumps({"contact": contact.pk, "title": "Other"})
    answers[422] = post(api_client, data=other, headers={"Idempotency-Key": "k-1"})
    with alpha():  # as if the first request were still running
        IdempotencyRecord.objects.filter(key="k-1").update(
            status_code=None, started_at=timezone.now()
        )
    answers[409] = post(api_client, headers={"Idempotency-Key": "k-1"})
    for status, response in answers.items():
        assert response.status_code == status, response.content
        assert_documented(response, document, TASKS, "post" if status != 401 else "get")
    missing = api_client.get(f"{TASKS}999999/")
    assert missing.status_code == 404
    assert_documented(missing, document, "/api/v1/tasks/{id}/", "get")

    def broken(**kwargs):
        raise RuntimeError("a failure of ours")

    monkeypatch.setattr(services, "task_create", broken)
    failed = post(api_client)
    assert failed.status_code == 500
    assert_documented(failed, document, TASKS, "post")
    settings.API_RATE_LIMIT = 0
    limited = api_client.get(TASKS)
    assert limited.status_code == 429
    assert_documented(limited, document, TASKS, "get")
