"""The API docs a partner follows: the schema validates with no generator warning, every
operation shows a request example (when it takes a body) and an example of its success answer,
each example is one its schema accepts, every POST takes an Idempotency-Key, and every answer
documents exactly the rate-limit headers the API sends."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator

import jsonschema
import pytest
from django.core.management import call_command
from django.urls import path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.management.commands.spectacular import SchemaGenerationError
from drf_spectacular.renderers import OpenApiJsonRenderer
from rest_framework.response import Response
from rest_framework.test import APIClient

from cxsuite.lib.api import TenantAPIView
from cxsuite.lib.openapi import EXAMPLE_HOST, RATE_LIMIT
from tests.conftest import host_of

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def document() -> dict:
    generated = SchemaGenerator(urlconf="cxsuite.urls_tenant").get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


def operations(document: dict) -> Iterator[tuple[str, str, dict]]:
    for url, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield url, method, item[method]


def answer(document: dict, response: dict) -> dict:
    if "$ref" in response:
        return document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response


# --- the generator's own checks ----------------------------------------------------------------
def test_the_schema_validates_with_no_generator_warning(tmp_path):
    """`manage.py spectacular --validate --fail-on-warn`, in process."""
    GENERATOR_STATS.reset()  # what schemas generated earlier in this process reported
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/templates/{purpose}/{channel}/{language}/" in out.read_text()


class UndocumentedView(TenantAPIView):
    def get(self, request):
        return Response({"hello": "world"})


urlpatterns = [path("api/v1/undocumented/", UndocumentedView.as_view())]


def test_a_generator_warning_fails_the_check(tmp_path):
    GENERATOR_STATS.reset()
    with pytest.raises(SchemaGenerationError):
        call_command(
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--urlconf",
            __name__,
            "--file",
            str(tmp_path / "schema.yaml"),
        )
    GENERATOR_STATS.reset()


# --- examples ----------------------------------------------------------------------------------
def test_every_operation_shows_a_request_and_a_success_example(document):
    missing = []
    for url, method, operation in operations(document):
        name = f"{method.upper()} {url}"
        if "requestBody" in operation:
            json_body = operation["requestBody"]["content"]["application/json"]
            if not json_body.get("examples"):
                missing.append(f"{name}: request")
        for code, response in operation["responses"].items():
            content = response.get("content", {}).get("application/json", {})
            if code.startswith("2") and "content" in response and not content.get("examples"):
                missing.append(f"{name}: {code} answer")
    assert not missing, "Operations without examples:\n" + "\n".join(missing)


def _nullable(schema):
    """OpenAPI 3.0's `nullable` as JSON Schema says it (null as one more type)."""
    if isinstance(schema, list):
        return [_nullable(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    schema = {key: _nullable(value) for key, value in schema.items()}
    if schema.pop("nullable", False):
        if "enum" in schema and None not in schema["enum"]:
            schema["enum"] = [*schema["enum"], None]
        return {"anyOf": [schema, {"type": "null"}]}
    return schema


def _examples(document: dict) -> Iterator[tuple[str, dict, dict]]:
    """(where, schema, example) for every example in the document."""
    for url, method, operation in operations(document):
        name = f"{method.upper()} {url}"
        body = operation.get("requestBody", {}).get("content", {})
        for media in body.values():
            for key, example in media.get("examples", {}).items():
                yield f"{name} request {key}", media["schema"], example
        for code, response in operation["responses"].items():
            if "$ref" in response:
                continue  # the standard errors: checked once below
            for media in response.get("content", {}).values():
                for key, example in media.get("examples", {}).items():
                    yield f"{name} {code} {key}", media["schema"], example
    for key, response in document["components"]["responses"].items():
        for media in response["content"].values():
            for name, example in media["examples"].items():
                yield f"{key} {name}", media["schema"], example


def test_every_example_is_one_its_schema_accepts(document):
    components = _nullable(copy.deepcopy(document["components"]))
    checker = jsonschema.FormatChecker()
    count, wrong = 0, []
    for where, schema, example in _examples(document):
        count += 1
        try:
            jsonschema.validate(
                example["value"],
                {**_nullable(schema), "components": components},
                format_checker=checker,
            )
        except jsonschema.ValidationError as exc:
            wrong.append(f"{where}: {exc.message} at {list(exc.absolute_path)}")
    assert not wrong, "\n".join(wrong)
    assert count >= 90


def test_a_list_example_is_a_first_page_linking_to_its_own_path(document):
    page = document["paths"]["/api/v1/contacts/{contact_pk}/events/"]["get"]["responses"]["200"]
    [example] = page["content"]["application/json"]["examples"].values()
    assert example["value"]["next"].startswith(f"{EXAMPLE_HOST}/api/v1/contacts/1042/events/?")
    assert example["value"]["previous"] is None
    assert example["value"]["results"][0]["type"] == "note.added"


def test_examples_read_like_a_dental_practice_not_placeholders(document):
    text = json.dumps([example["value"] for _where, _schema, example in _examples(document)])
    for placeholder in ('"string"', "user@example.com", "api.example.org", '"2019-'):
        assert placeholder not in text
    for real in ("Emily", "Check-up", "Dr. Maya Patel", "appointment_reminder"):
        assert real in text


# --- headers -----------------------------------------------------------------------------------
def test_every_post_takes_an_idempotency_key_and_every_answer_has_the_rate_limit(document):
    for url, method, operation in operations(document):
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        assert ("Idempotency-Key" in headers) is (method == "post"), f"{method} {url}"
        for code, response in operation["responses"].items():
            documented = set(answer(document, response).get("headers", {}))
            assert set(RATE_LIMIT) <= documented, f"{method} {url} {code}"


@pytest.mark.django_db
def test_the_rate_limit_headers_documented_are_the_ones_sent(read_api_client, document):
    response = read_api_client.get("/api/v1/templates/")
    assert response.status_code == 200
    sent = {name for name in response.headers if name.lower().startswith("x-ratelimit-")}
    success = document["paths"]["/api/v1/templates/"]["get"]["responses"]["200"]
    documented = {name for name in success["headers"] if name.startswith("X-RateLimit-")}
    assert {name.lower() for name in sent} == {name.lower() for name in documented}
    for name in documented:
        assert response.headers[name].isdigit(), name


@pytest.mark.django_db
def test_a_refused_key_is_not_counted_and_gets_no_rate_limit_headers(tenant):
    client = APIClient(HTTP_HOST=host_of(tenant))
    client.credentials(HTTP_AUTHORIZATION="Bearer cx_not_a_key")
    refused = client.get("/api/v1/templates/")
    assert refused.status_code == 401
    assert not [name for name in refused.headers if name.lower().startswith("x-ratelimit-")]
    anonymous = APIClient(HTTP_HOST=host_of(tenant)).get("/api/v1/templates/")
    assert anonymous.status_code == 401 and anonymous.headers["X-RateLimit-Remaining"].isdigit()
