"""API plumbing shared by every app: errors, the entrance checks, idempotent POSTs, base views.

Every error leaves as `{"error": {"code", "message", "fields": {name: [messages]}}}`. A
`DomainError` may carry `extra`, a dict of JSON-ready values added to that error object (e.g.
`next_slots`, the free times offered to whoever lost a race for a slot). An unexpected exception
is a 500 with code `server_error` whose error also carries `request_id` (and the response an
`X-Request-Id` header): the same id is in the log line with the traceback.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import sys
import uuid
from typing import TYPE_CHECKING, Any

from django.apps import apps as django_apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, status, views, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from cxsuite.lib.errors import DomainError
from cxsuite.lib.input import RequestTooLarge, body_size_check, pairs_refusals, text_refusal

logger = logging.getLogger("cxsuite.api")

# --- errors ------------------------------------------------------------------------------------


def _flatten(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for name, value in detail.items():
            if isinstance(value, dict):
                for sub, messages in _flatten(value).items():
                    out[f"{name}.{sub}"] = messages
            else:
                items = value if isinstance(value, list) else [value]
                messages = []
                for item in items:
                    if isinstance(item, dict):
                        for sub, sub_messages in _flatten(item).items():
                            out[f"{name}.{sub}"] = sub_messages
                    else:
                        messages.append(str(item))
                if messages:
                    out[name] = messages
        return out
    items = detail if isinstance(detail, list) else [detail]
    return {"non_field_errors": [str(item) for item in items]}


def error_body(
    code: str, message: str, fields: dict | None = None, *, request_id: str | None = None
) -> dict:
    error = {"code": code, "message": message, "fields": fields or {}}
    if request_id is not None:
        error["request_id"] = request_id
    return {"error": error}


_GIVEN_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")


def request_id_for(request) -> str:
    """The id the proxy in front gave this request (X-Request-Id), else a new one."""
    given = request.META.get("HTTP_X_REQUEST_ID", "")
    return given if _GIVEN_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def server_error_response(request, exc_info) -> HttpResponse:
    """The last resort: log the traceback under a request id and answer the standard body."""
    request_id = request_id_for(request)
    logger.error(
        "Unexpected error on %s %s (request id %s)",
        request.method,
        request.path,
        request_id,
        exc_info=exc_info,
        extra={"request_id": request_id},
    )
    body = error_body(
        "server_error",
        _("Something went wrong on our side. Quote the request id if you contact us."),
        request_id=request_id,
    )
    return JsonResponse(body, status=500, headers={"X-Request-Id": request_id})


def server_error(request, *args, **kwargs) -> HttpResponse:
    """Django's handler500, for exceptions raised outside any API view (in middleware, say):
    API paths get the API's error body, pages Django's error page."""
    if request.path.startswith(settings.API_PATH_PREFIX):
        return server_error_response(request, sys.exc_info())
    return defaults.server_error(request, *args, **kwargs)


def not_found(request, exception=None) -> HttpResponse:
    """Django's handler404, for paths no view matches (`/api/v1/contacts/abc/`): API paths get
    the API's error body, pages Django's not-found page."""
    if request.path.startswith(settings.API_PATH_PREFIX):
        return JsonResponse(error_body("not_found", _("Not found.")), status=404)
    return defaults.page_not_found(request, exception)


def exception_handler(exc, context):
    """Turn DRF, Django and domain errors into one JSON shape that names the fields; anything
    else is a 500 with a request id, never an exception escaping the view."""
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DomainError):
        named = {exc.field: [exc.message]} if exc.field else {}
        body = error_body(exc.code, exc.message, named)
        extra = exc.extra or {}
        body["error"].update({k: v for k, v in extra.items() if k not in body["error"]})
        return Response(body, status=exc.status_code)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge(_("The request body is too large."))
    elif isinstance(exc, SuspiciousOperation):  # too many fields, a malformed multipart body
        exc = exceptions.ParseError(_("The request could not be read."))

    response = drf_exception_handler(exc, context)
    if response is None:
        set_rollback()
        request = context["request"]
        return server_error_response(request, (type(exc), exc, exc.__traceback__))
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        message = _("Some fields are not valid: %(names)s.") % {"names": ", ".join(fields)}
        response.data = error_body("invalid", message, fields)
    else:
        said = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(said, "code", None) or getattr(exc, "default_code", "error")
        response.data = error_body(str(code), str(said))
    return response


# --- the entrance and idempotent POSTs ---------------------------------------------------------


if TYPE_CHECKING:
    _ViewBase = views.APIView  # what the mixins below are mixed into
else:
    _ViewBase = object


class _Replay(Exception):
    def __init__(self, response: HttpResponse):
        self.response = response


class ThrottleFirstMixin(_ViewBase):
    """Count every authenticated request, refused or not, before checking permissions.

    DRF checks permissions first, so a client hammering an endpoint it may not use would
    never be throttled and its 403s would carry no X-RateLimit-* headers.
    """

    def initial(self, request, *args, **kwargs):
        self.format_kwarg = self.get_format_suffix(**kwargs)
        request.accepted_renderer, request.accepted_media_type = self.perform_content_negotiation(
            request
        )
        request.version, request.versioning_scheme = self.determine_version(
            request, *args, **kwargs
        )
        self.perform_authentication(request)
        self.check_throttles(request)
        self.check_permissions(request)


class GuardedInputMixin(_ViewBase):
    """What a request carries besides its body, checked before the view sees any of it: the
    body's declared size (413) and the query parameters' characters (400 naming them)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        body_size_check(request)
        errors = pairs_refusals(request.query_params.lists())
        if errors:
            raise exceptions.ValidationError(errors)


def _idempotency_key(request) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if not key:
        return None
    if len(key) > 255:
        raise exceptions.ValidationError({"Idempotency-Key": [_("Use at most 255 characters.")]})
    problem = text_refusal(key, name=True)
    if problem:
        raise exceptions.ValidationError({"Idempotency-Key": [problem]})
    return key


def _insert_unless_taken(record) -> bool:
    """INSERT the record unless its unique key is taken (waiting for a transaction that is
    writing it to end), in one statement and without a savepoint; False when taken."""
    from django.db import connection

    meta = type(record)._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    for f in fields:
        if getattr(f, "auto_now_add", False):
            setattr(record, f.attname, timezone.now())
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    holders = ", ".join(["%s"] * len(fields))
    values = [f.get_db_prep_save(getattr(record, f.attname), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns})"
            f" VALUES ({holders}) ON CONFLICT DO NOTHING RETURNING {meta.pk.column}",
            values,
        )
        row = cursor.fetchone()
    if row is None:
        return False
    record.pk = row[0]
    record._state.adding = False
    return True


def _answer_store(record, status_code: int, content: bytes) -> None:
    """Keep the answer on the record this request holds, unless another request took it over
    meanwhile: one UPDATE, written out here since every idempotent POST makes it."""
    from django.db import connection

    meta = type(record)._meta
    quote = connection.ops.quote_name

    def column(name: str) -> str:
        return quote(meta.get_field(name).column)

    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)}"
            f" SET {column('status_code')} = %s, {column('response_content')} = %s"
            f" WHERE {quote(meta.pk.column)} = %s AND {column('status_code')} IS NULL"
            f" AND {column('started_at')} = %s",
            [status_code, content, record.pk, record.started_at],
        )


def _replay_refused(code: str, message: str, fields: dict | None, status_code: int) -> _Replay:
    return _Replay(Response(error_body(code, message, fields), status=status_code))


class IdempotentViewMixin(_ViewBase):
    """Honour `Idempotency-Key` on POST: the same key replays the stored answer; the same key
    with another body is a 422; a second request while the first runs is a 409.

    Only 2xx and 4xx answers are kept; after anything else (a 500, an exception on the way out)
    the key is released so the retry runs again. A record left in flight by a process that died
    is taken over once it is IDEMPOTENCY_IN_FLIGHT_SECONDS old.

    The actions named in `idempotent_atomic_actions` run in one transaction with their record:
    the claim, the view's writes and the stored answer commit together (one commit instead of
    three), a second request with the same key waits for the first to commit and replays its
    answer (no 409), and an answer that is not kept rolls everything back. For short writes
    whose service holds its own locks (a loyalty earn); not for views that call out.
    """

    _idempotency: Any = None  # the IdempotencyRecord this request holds (a model named by setting)
    _idempotency_atomic = False
    idempotent_atomic_actions: frozenset[str] = frozenset()

    def dispatch(self, request, *args, **kwargs):
        self._idempotency = None
        action = getattr(self, "action_map", {}).get(request.method.lower())
        self._idempotency_atomic = (
            request.method == "POST"
            and action in self.idempotent_atomic_actions
            and bool(request.headers.get("Idempotency-Key"))
        )
        if self._idempotency_atomic:
            with transaction.atomic():
                response = super().dispatch(request, *args, **kwargs)
                if self._idempotency is not None or not (
                    200 <= response.status_code < 300 or 400 <= response.status_code < 500
                ):
                    transaction.set_rollback(True)  # no answer kept: nothing is kept
            return response
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            if self._idempotency is not None:  # no answer was stored: let a retry run again
                self._idempotency_release()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method != "POST":
            return
        key = _idempotency_key(request)
        if key is None:
            return
        # an API key or a partner app ("key:<id>", "oauth:<id>"), else the staff member
        client = getattr(request.user, "client_ident", None) or f"user:{request.user.pk}"
        self._idempotency = self._idempotency_claim(
            client=client, key=key, path=request.path, body=request.body
        )

    def _idempotency_claim(self, *, client: str, key: str, path: str, body: bytes):
        """The record this request now holds, or _Replay with the answer to give instead."""
        IdempotencyRecord = django_apps.get_model(settings.API_IDEMPOTENCY_MODEL)  # noqa: N806

        body_hash = hashlib.sha256(body).hexdigest()
        for _attempt in range(3):  # the record may be released or taken over meanwhile
            now = timezone.now()
            record = IdempotencyRecord(
                client=client,
                key=key,
                method="POST",
                path=path,
                body_hash=body_hash,
                started_at=now,
            )
            if self._idempotency_atomic:
                if _insert_unless_taken(record):
                    return record
            else:
                try:
                    with transaction.atomic():
                        record.save(force_insert=True)
                        return record
                except IntegrityError:
                    pass
            record = IdempotencyRecord.objects.filter(client=client, key=key).first()
            if record is None:
                continue
            if record.body_hash != body_hash or record.path != path:
                raise _replay_refused(
                    "idempotency_key_reused",
                    _("This Idempotency-Key was used with a different request."),
                    {"Idempotency-Key": [_("Use a new key for a different request.")]},
                    status.HTTP_422_UNPROCESSABLE_ENTITY,
                )
            if record.status_code is not None:
                replay = HttpResponse(
                    bytes(record.response_content or b""),
                    status=record.status_code,
                    content_type="application/json",
                )
                replay["Idempotent-Replayed"] = "true"
                raise _Replay(replay)
            stale = now - dt.timedelta(seconds=settings.IDEMPOTENCY_IN_FLIGHT_SECONDS)
            if record.started_at >= stale:
                break
            taken = IdempotencyRecord.objects.filter(
                pk=record.pk, status_code__isnull=True, started_at=record.started_at
            ).update(started_at=now)
            if taken:
                record.started_at = now
                return record
        raise _replay_refused(
            "idempotency_in_progress",
            _("The first request is still running."),
            None,
            status.HTTP_409_CONFLICT,
        )

    def _idempotency_held(self):
        """The held record, as a queryset that matches nothing once another request took over."""
        record, self._idempotency = self._idempotency, None
        return type(record).objects.filter(
            pk=record.pk, status_code__isnull=True, started_at=record.started_at
        )

    def _idempotency_release(self) -> None:
        try:
            self._idempotency_held().delete()
        except DatabaseError:  # the connection is unusable: the record goes stale, then is taken
            logger.warning("Could not release an Idempotency-Key record", exc_info=True)

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self._idempotency is None:
            return response
        code = response.status_code
        if not (200 <= code < 300 or 400 <= code < 500):
            self._idempotency_release()
            return response
        if hasattr(response, "render"):
            response.render()  # keep exactly the bytes the client gets
        record, self._idempotency = self._idempotency, None
        try:
            _answer_store(record, code, response.content)
        except DatabaseError:  # as above: stale after a while, then taken over
            logger.warning("Could not store an Idempotency-Key answer", exc_info=True)
        return response


class TenantViewSetMixin(IdempotentViewMixin, GuardedInputMixin, ThrottleFirstMixin):
    """What every API view of a tenant app shares: who may call it and how often, the checks at
    the entrance, idempotent POSTs, and a body parsed (and refused) before the view runs."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        method = request.method.lower()
        if method in ("post", "put", "patch") and hasattr(self, method):  # else a 405 follows
            request.data  # noqa: B018 - parse and check the body now, whatever the view reads


class TenantGenericViewSet(TenantViewSetMixin, viewsets.GenericViewSet):
    pass


class TenantAPIView(TenantViewSetMixin, views.APIView):
    pass
