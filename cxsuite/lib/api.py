"""API plumbing shared by every app: errors, pagination, rate limits, idempotent POSTs.

Every error leaves as `{"error": {"code", "message", "fields": {name: [messages]}}}`. A
`DomainError` may carry `extra`, a dict of JSON-ready values added to that error object (e.g.
`next_slots`, the free times offered to whoever lost a race for a slot).
"""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status, views, viewsets
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import exception_handler as drf_exception_handler

from cxsuite.lib.errors import DomainError

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


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def exception_handler(exc, context):
    """Turn DRF, Django and domain errors into one JSON shape that names the fields."""
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DomainError):
        fields = {exc.field: [exc.message]} if exc.field else {}
        body = error_body(exc.code, exc.message, fields)
        extra = exc.extra or {}
        body["error"].update({k: v for k, v in extra.items() if k not in body["error"]})
        return Response(body, status=exc.status_code)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        message = _("Some fields are not valid: %(names)s.") % {"names": ", ".join(fields)}
        response.data = error_body("invalid", message, fields)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = error_body(str(code), str(detail))
    return response


# --- idempotent POSTs --------------------------------------------------------------------------


class _Replay(Exception):
    def __init__(self, response: Response):
        self.response = response


class ThrottleFirstMixin:
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


class IdempotentViewMixin:
    """Honour `Idempotency-Key` on POST: the same key replays the stored answer; the same key
    with another body is a 422; a second request while the first runs is a 409."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._idempotency = None
        if request.method != "POST":
            return
        key = request.headers.get("Idempotency-Key")
        if not key:
            return
        from apps.accounts.models import IdempotencyRecord

        if len(key) > 255:
            raise exceptions.ValidationError(
                {"Idempotency-Key": [_("Use at most 255 characters.")]}
            )
        client = (
            f"key:{request.auth.pk}"
            if hasattr(request.auth, "prefix")
            else f"user:{request.user.pk}"
        )
        body_hash = hashlib.sha256(request.body).hexdigest()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    client=client,
                    key=key,
                    method=request.method,
                    path=request.path,
                    body_hash=body_hash,
                )
        except IntegrityError:
            record = IdempotencyRecord.objects.get(client=client, key=key)
            if record.body_hash != body_hash or record.path != request.path:
                raise _Replay(
                    Response(
                        error_body(
                            "idempotency_key_reused",
                            _("This Idempotency-Key was used with a different request."),
                            {"Idempotency-Key": [_("Use a new key for a different request.")]},
                        ),
                        status=status.HTTP_422_UNPROCESSABLE_ENTITY,
                    )
                ) from None
            if record.status_code is None:
                raise _Replay(
                    Response(
                        error_body(
                            "idempotency_in_progress", _("The first request is still running.")
                        ),
                        status=status.HTTP_409_CONFLICT,
                    )
                ) from None
            replay = Response(record.response_body, status=record.status_code)
            replay["Idempotent-Replayed"] = "true"
            raise _Replay(replay) from None
        self._idempotency = record

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        record = getattr(self, "_idempotency", None)
        if record is not None:
            if response.status_code >= 500:
                record.delete()  # let the client retry a failure of ours
            else:
                body = json.loads(json.dumps(response.data, cls=JSONEncoder))
                type(record).objects.filter(pk=record.pk).update(
                    status_code=response.status_code, response_body=body
                )
        return response


class TenantViewSetMixin(IdempotentViewMixin, ThrottleFirstMixin):
    """What every API view of a tenant app shares."""


class TenantGenericViewSet(TenantViewSetMixin, viewsets.GenericViewSet):
    pass


class TenantAPIView(TenantViewSetMixin, views.APIView):
    pass
