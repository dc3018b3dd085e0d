"""Control characters in every string of every write endpoint, found from the OpenAPI schema:
each POST/PUT/PATCH request body is built from its schema with every property filled in, then
each string in it (nested ones and object keys too) gets a control character in turn. The
answer is always a 400 naming that field, never a 500 and never a stored row."""

from __future__ import annotations

import copy
import json

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.accounts.test_api import assert_error

pytestmark = pytest.mark.django_db

WRITE_METHODS = ("post", "put", "patch")
FREE_FORM = {"note": "x"}  # what goes where the schema allows any JSON
# NUL everywhere; besides it, a rotation of the other refused characters
OTHER_CHARACTERS = ["\x01", "\x08", "\x0b", "\x1b", "\x7f", "\x85", "\ud800"]


def _resolve(schema: dict, components: dict) -> dict:
    while True:
        if "$ref" in schema:
            schema = components[schema["$ref"].rsplit("/", 1)[1]]
        elif "allOf" in schema:
            schema = schema["allOf"][0]
        elif "oneOf" in schema:
            schema = schema["oneOf"][0]
        else:
            return schema


def example(schema: dict, components: dict):
    """A value the schema describes, every property filled in."""
    schema = _resolve(schema, components)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "string":
        return {
            "date": "2030-01-02",
            "date-time": "2030-01-02T10:00:00Z",
            "email": "ada@example.test",
            "decimal": "10.00",
        }.get(schema.get("format"), "x")
    if kind in ("integer", "number"):
        return 1
    if kind == "boolean":
        return True
    if kind == "array":
        return [example(schema.get("items", {}), components)]
    if kind == "object" and schema.get("properties"):
        return {name: example(sub, components) for name, sub in schema["properties"].items()}
    return dict(FREE_FORM)  # an object of any keys, or any JSON at all


def string_paths(value, path: tuple = ()) -> list[tuple]:
    """Where the strings are in `value`: ("value", path) for each string, ("key", path) for
    each key of a free-form object."""
    found = []
    if isinstance(value, str):
        found.append(("value", path))
    elif isinstance(value, dict):
        for key, item in value.items():
            found.extend(string_paths(item, (*path, key)))
        if value == FREE_FORM:
            found.append(("key", (*path, "note")))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(string_paths(item, (*path, index)))
    return found


def with_character(body, where: str, path: tuple, char: str):
    """A copy of `body` with `char` put into the string (or key) at `path`."""
    body = copy.deepcopy(body)
    parent = body
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if where == "value":
        parent[last] = f"a{char}b"
    else:
        parent[f"no{char}te"] = parent.pop(last)
    return body


def _cases():
    schema = SchemaGenerator(urlconf="cxsuite.urls_tenant").get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    cases = []
    for url, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in WRITE_METHODS:
                continue
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue  # takes no body
            body = example(content["application/json"]["schema"], components)
            path = url.replace("{id}", "1").replace("{contact_pk}", "1")
            path = path.replace("{purpose}/{channel}/{language}", "appointment_reminder/email/en")
            for index, (where, at) in enumerate(string_paths(body)):
                other = OTHER_CHARACTERS[index % len(OTHER_CHARACTERS)]
                for char in ("\x00", other):
                    name = ".".join(str(step) for step in at)
                    case_id = f"{method.upper()} {url} {where}:{name} U+{ord(char):04X}"
                    cases.append(pytest.param(method, path, body, where, at, char, id=case_id))
    return cases


CASES = _cases()


def test_the_schema_offers_the_write_endpoints_and_their_nested_strings():
    """The walk above reaches what it should: if the schema stopped describing a body, the
    cases below would silently thin out."""
    ids = " ".join(case.id for case in CASES)
    for expected in (
        "POST /api/v1/contacts/ value:first_name",
        "PATCH /api/v1/contacts/{id}/ value:email",
        "POST /api/v1/contacts/ key:custom.note",
        "POST /api/v1/events/batch/ value:events.0.email",
        "POST /api/v1/events/batch/ value:events.0.properties.note",
        "POST /api/v1/events/batch/ value:events.0.client_event_id",
        "POST /api/v1/transactions/ value:items.0.note",
        "POST /api/v1/segments/ value:rules.note",
        "POST /api/v1/messages/ value:context.note",
        "POST /api/v1/appointments/ value:contact_details.first_name",
        "POST /api/v1/waitlist/ value:date_from",
        "POST /api/v1/invitations/ value:email",
    ):
        assert expected in ids, expected
    assert len(CASES) > 150


@pytest.mark.parametrize(("method", "path", "body", "where", "at", "char"), CASES)
def test_a_control_character_in_any_string_is_a_400_naming_it(
    api_client, method, path, body, where, at, char
):
    sent = json.dumps(with_character(body, where, at, char))  # escaped: \u0000, \ud800
    response = getattr(api_client, method)(path, sent, content_type="application/json")
    error = assert_error(response, 400, "invalid")
    named = ".".join(str(step) for step in at)
    if where == "key":
        named = named.rsplit(".", 1)[0] + f".no\\u{ord(char):04x}te"
    assert named in error["fields"], (named, error["fields"])
