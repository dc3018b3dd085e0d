"""The OpenAPI schema documents every answer an operation gives, its errors included.

`ErrorsAutoSchema` (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]) adds the standard error answers to
each operation from what the operation is: every one can be refused as invalid (400), without
valid credentials (401), not allowed (403), rate limited (429) or fail on our side (500); one
whose path names an object can be not found (404); a POST can meet its Idempotency-Key still
running (409) or reused with another body (422); a POST, PUT or PATCH can send too large a
body (413) or one in a media type it does not read (415). A view that declares its own answer
for one of these codes keeps it (the 409 of a lost slot race, with `next_slots`); where the
standard error can come with that code too, the answer is documented as either (`anyOf`).

It also documents the `Idempotency-Key` header of POSTs and the rate-limit headers of every
answer. The bodies follow `cxsuite.lib.api.error_body`.

Examples: every operation shows a request example (when it takes a body) and an example of its
success answer, with the values a dental practice would see (`tests/lib/test_openapi.py` fails
on an operation without them, and on an example its schema does not accept). They sit on the
serializers, through `extend_schema_serializer(examples=[request_example(...)])` or
`[response_example(...)]`, so every operation that takes or answers that serializer shows them;
an answer without a serializer gets its example on the view (`extend_schema(examples=...)`). A
list's example is the page of one item, with a `next` link to this path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiExample, OpenApiParameter
from rest_framework import serializers

# --- the error bodies (documentation of cxsuite.lib.api.error_body) ----------------------------


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="What went wrong, for programs: `invalid`, `not_found`, `not_authenticated`, "
        "`authentication_failed`, `permission_denied`, `throttled`, `too_large`, "
        "`idempotency_key_reused`, `idempotency_in_progress`, `parse_error`, "
        "`unsupported_media_type`, `server_error`, or an operation's own (e.g. `slot_taken`)"
    )
    message = serializers.CharField(help_text="What went wrong, for people")
    # DRF takes an attribute named like Serializer.fields as a declared field all the same
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per field or query parameter; a field inside the body is named by "
        "its path, e.g. `events.0.email`. Empty when no field is to blame.",
    )


class ErrorSerializer(serializers.Serializer):
    """Every error answer of the API (some add members to `error`)."""

    error = ErrorDetailSerializer()


class ServerErrorDetailSerializer(ErrorDetailSerializer):
    request_id = serializers.CharField(
        help_text="Quote it when you contact us: the log line with the cause carries it "
        "(also sent as the X-Request-Id header)"
    )


class ServerErrorSerializer(serializers.Serializer):
    """A failure on our side (code `server_error`)."""

    error = ServerErrorDetailSerializer()


# --- which operation gives which error ---------------------------------------------------------


@dataclass(frozen=True)
class StandardError:
    status: int
    name: str  # of its answer under components/responses
    description: str
    body: type[serializers.Serializer] = ErrorSerializer
    methods: frozenset[str] | None = None  # None: every method
    object_path: bool = False  # only where the path names an object
    example: dict = field(default_factory=dict)  # the `error` object of an example answer

    def applies(self, *, method: str, path: str) -> bool:
        if self.methods is not None and method not in self.methods:
            return False
        return not self.object_path or "{" in path


WITH_BODY = frozenset({"POST", "PUT", "PATCH"})

STANDARD_ERRORS = [
    StandardError(
        400,
        "Invalid",
        "Invalid input: `error.fields` names each refused field or query parameter with its "
        "messages.",
        example={
            "code": "invalid",
            "message": "Some fields are not valid: email, starts_at.",
            "fields": {
                "email": ["Enter a valid email address."],
                "starts_at": [
                    "Give the time with its offset, e.g. 2027-03-03T09:30:00+01:00 or "
                    "2027-03-03T08:30:00Z."
                ],
            },
        },
    ),
    StandardError(
        401,
        "NotAuthenticated",
        "No credentials, or an API key that is not valid for this business.",
        example={
            "code": "authentication_failed",
            "message": "This API key is not valid for this business.",
            "fields": {},
        },
    ),
    StandardError(
        403,
        "NotAllowed",
        "The role, or the API key's scopes, do not allow this.",
        example={
            "code": "permission_denied",
            "message": "Your role does not allow this.",
            "fields": {},
        },
    ),
    StandardError(
        404,
        "NotFound",
        "Not found in this business (the ids of other businesses are not found either).",
        object_path=True,
        example={"code": "not_found", "message": "Not found.", "fields": {}},
    ),
    StandardError(
        409,
        "IdempotencyInProgress",
        "The first request with this Idempotency-Key is still running (code "
        "`idempotency_in_progress`): retry later.",
        methods=frozenset({"POST"}),
        example={
            "code": "idempotency_in_progress",
            "message": "The first request is still running.",
            "fields": {},
        },
    ),
    StandardError(
        413,
        "TooLarge",
        "The body is over the size limit.",
        methods=WITH_BODY,
        example={
            "code": "too_large",
            "message": "The request body is over the limit of 2097152 bytes.",
            "fields": {},
        },
    ),
    StandardError(
        415,
        "UnsupportedMediaType",
        "The body is sent as JSON, a form or multipart: the Content-Type says otherwise.",
        methods=WITH_BODY,
        example={
            "code": "unsupported_media_type",
            "message": 'Unsupported media type "text/plain" in request.',
            "fields": {},
        },
    ),
    StandardError(
        422,
        "IdempotencyKeyReused",
        "This Idempotency-Key was used with a different request (code `idempotency_key_reused`).",
        methods=frozenset({"POST"}),
        example={
            "code": "idempotency_key_reused",
            "message": "This Idempotency-Key was used with a different request.",
            "fields": {"Idempotency-Key": ["Use a new key for a different request."]},
        },
    ),
    StandardError(
        429,
        "RateLimited",
        "Too many requests: try again after Retry-After seconds.",
        example={
            "code": "throttled",
            "message": "Request was throttled. Expected available in 17 seconds.",
            "fields": {},
        },
    ),
    StandardError(
        500,
        "ServerError",
        "Something went wrong on our side: quote `error.request_id`.",
        body=ServerErrorSerializer,
        example={
            "code": "server_error",
            "message": "Something went wrong on our side. Quote the request id if you contact us.",
            "fields": {},
            "request_id": "5f0c8e0a9d3b4c57a1e2f3d4c5b6a798",
        },
    ),
]

# Answer headers, documented once under components/headers.
HEADERS = {
    "X-RateLimit-Limit": (
        "integer",
        "Requests allowed per window to this key (or user, or address without credentials); "
        "the X-RateLimit headers come with every answer but a refused API key's 401",
    ),
    "X-RateLimit-Remaining": ("integer", "Requests left in the current window"),
    "X-RateLimit-Reset": ("integer", "When the window ends (Unix time, seconds)"),
    "Retry-After": ("integer", "Seconds until the window ends"),
    "X-Request-Id": ("string", "The request id (the one the proxy in front sent, if any)"),
    "Idempotent-Replayed": (
        "string",
        '"true" when this is the stored answer to an earlier request with the same Idempotency-Key',
    ),
}
RATE_LIMIT = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"]
ALWAYS_SENT = {429: ["Retry-After"], 500: ["X-Request-Id"]}  # on these answers, always
ALWAYS_SENT_HEADERS = {name for names in ALWAYS_SENT.values() for name in names}

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    type={"type": "string", "minLength": 1, "maxLength": 255},
    location=OpenApiParameter.HEADER,
    description="Send one to make a retry safe: the same key with the same body gets what "
    "the first request got (2xx and 4xx answers are kept, marked Idempotent-Replayed), and "
    "nothing is done twice. Printable characters, at most 255.",
)


# --- examples ----------------------------------------------------------------------------------

EXAMPLE_HOST = "https://bright-smile.example.com"  # the business's host in examples
EXAMPLE_PATH_IDS = {"contact_pk": "1042"}  # path parameters in example links; others: 12


def request_example(summary: str, value: Any, *, description: str = "") -> OpenApiExample:
    """An example body of the requests that take this serializer."""
    return OpenApiExample(
        summary, value=value, summary=summary, description=description, request_only=True
    )


def response_example(
    summary: str, value: Any, *, status_codes: list[str] | None = None, description: str = ""
) -> OpenApiExample:
    """An example of the success answers (200 and 201 unless `status_codes` says) that answer
    this serializer; in a list, the page that holds it."""
    return OpenApiExample(
        summary,
        value=value,
        summary=summary,
        description=description,
        response_only=True,
        status_codes=status_codes,
    )


def _example_link(path: str) -> str:
    path = re.sub(r"\{(\w+)\}", lambda m: EXAMPLE_PATH_IDS.get(m.group(1), "12"), path)
    return f"{EXAMPLE_HOST}{path}?cursor=cD01MzA2"


class ErrorsAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema plus the answers and headers every API view shares."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self.method == "POST":
            parameters = [*parameters, IDEMPOTENCY_KEY]
        return parameters

    def _get_response_headers_for_code(self, status_code, direction="response"):
        headers = super()._get_response_headers_for_code(status_code, direction)
        names = list(RATE_LIMIT)
        if self.method == "POST" and str(status_code)[0] in "24":
            names.append("Idempotent-Replayed")
        return {**headers, **{name: self._header_ref(name) for name in names}}

    def _get_examples(self, serializer, direction, media_type, status_code=None, extras=None):
        """A list's example is the first page: a `next` link to this path, no `previous`."""
        examples = super()._get_examples(serializer, direction, media_type, status_code, extras)
        for example in examples.values():
            value = example.get("value")
            if isinstance(value, dict) and set(value) == {"next", "previous", "results"}:
                example["value"] = {**value, "next": _example_link(self.path), "previous": None}
        return examples

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for error in STANDARD_ERRORS:
            if not error.applies(method=self.method, path=self.path):
                continue
            code = str(error.status)
            declared = responses.get(code)
            if declared is None:
                responses[code] = self._error_ref(error)
            else:
                responses[code] = self._either(declared, error)
        return dict(sorted(responses.items()))

    def _header_ref(self, name: str) -> dict:
        kind, description = HEADERS[name]
        schema: dict[str, Any] = {"schema": {"type": kind}, "description": description}
        if name in ALWAYS_SENT_HEADERS:
            schema["required"] = True
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.HEADER, object=name, schema=schema
        )
        self.registry.register_on_missing(component)
        return component.ref

    def _error_ref(self, error: StandardError) -> dict:
        headers = RATE_LIMIT + ALWAYS_SENT.get(error.status, [])
        component = ResolvedComponent(
            name=error.name,
            type=ResolvedComponent.RESPONSE,
            object=error.name,
            schema={
                "description": error.description,
                "headers": {name: self._header_ref(name) for name in headers},
                "content": {
                    "application/json": {
                        "schema": self._body_ref(error),
                        "examples": {
                            error.name: {
                                "value": {"error": error.example},
                                "summary": error.description.split(":")[0].split(" (")[0],
                            }
                        },
                    }
                },
            },
        )
        self.registry.register_on_missing(component)
        return component.ref

    def _body_ref(self, error: StandardError) -> dict:
        return self.resolve_serializer(error.body, "response").ref

    def _either(self, declared: dict, error: StandardError) -> dict:
        """One status code, two bodies: the operation's own and the standard error."""
        content = {
            media_type: {**media, "schema": {"anyOf": [media["schema"], self._body_ref(error)]}}
            for media_type, media in declared.get("content", {}).items()
        }
        description = declared.get("description", "")
        return {
            **declared,
            "description": f"{description}\n\nOr: {error.description}".strip(),
            "content": content or {"application/json": {"schema": self._body_ref(error)}},
        }


# --- links: what a client does next with what it created -------------------------------------
LINKED_METHODS = ("get", "put", "patch", "delete", "post")
_ITEM = re.compile(r"\{(\w+)\}/([\w/-]*)")


def _has_id(document: dict, schema: dict) -> bool:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = document.get("components", {}).get("schemas", {}).get(name, {})
    return "id" in schema.get("properties", {})


def add_links(result: dict, generator, request, public) -> dict:
    """A drf-spectacular postprocessing hook: the 201 answer of each create links to the read,
    update and delete of the object it made, and to its actions (`/tasks/{id}/complete/`) (OpenAPI links, `$response.body#/id`), so clients
    and a stateful fuzzer can follow create → read → update → delete."""
    paths = result.get("paths", {})
    for url, item in paths.items():
        created = item.get("post", {}).get("responses", {}).get("201")
        if not created:
            continue
        body = created.get("content", {}).get("application/json", {}).get("schema", {})
        if not _has_id(result, body):
            continue
        outer = [p["name"] for p in item["post"].get("parameters", []) if p["in"] == "path"]
        for other_url, other in paths.items():
            match = _ITEM.fullmatch(other_url[len(url) :]) if other_url.startswith(url) else None
            if match is None:  # not the object's path, nor one of its actions
                continue
            name = match.group(1)
            for method in LINKED_METHODS:
                operation = other.get(method)
                if operation is None or (method == "post" and not match.group(2)):
                    continue
                parameters = {name: "$response.body#/id"}
                parameters.update({p: f"$request.path.{p}" for p in outer})
                created.setdefault("links", {})[operation["operationId"]] = {
                    "operationId": operation["operationId"],
                    "parameters": parameters,
                    "description": f"{method.upper()} the object just created",
                }
    return result
