"""`updated_since` on every list of the API, the same way everywhere.

`UpdatedSinceFilter` is one of the default filter backends: on a list it keeps the rows whose
change time is at or after the given instant (ISO 8601; a bad one is a 400 naming the
parameter) and documents the parameter in the schema. The change time is the model's
`updated` field, or for records that never change once written (timeline and consent events)
the field the view names in `updated_field`. A list made in Python filters its rows with
`updated_since_value(request)` itself, an extra action with `updated_since_apply`.

`KeepsUpdatedMixin` (before `models.Model` in a model's bases) adds `updated` to a
`save(update_fields=...)`, so a partial save moves the change time as a full one does.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers
from rest_framework.filters import BaseFilterBackend

PARAM = "updated_since"
DESCRIPTION = (
    "Only what changed at or after this instant (ISO 8601, e.g. 2026-03-05T14:30:00Z): keep "
    "the time of your last sync and pass it next time."
)


def updated_since_value(request) -> dt.datetime | None:
    """The `updated_since` of a request, or None; a bad value is a 400 naming it."""
    raw = request.query_params.get(PARAM)
    if raw is None or raw == "":
        return None
    try:
        return serializers.DateTimeField().to_internal_value(raw)
    except serializers.ValidationError:
        raise exceptions.ValidationError(
            {PARAM: [_("Give a date and time in ISO 8601, e.g. 2026-03-05T14:30:00Z.")]}
        ) from None


def updated_since_apply(request, queryset, field: str = "updated"):
    """For a list that is an extra action (a segment's members): the same filter, by hand;
    document it with `extend_schema(parameters=[UPDATED_SINCE])`."""
    since = updated_since_value(request)
    return queryset if since is None else queryset.filter(**{f"{field}__gte": since})


UPDATED_SINCE = OpenApiParameter(
    PARAM, OpenApiTypes.DATETIME, OpenApiParameter.QUERY, required=False, description=DESCRIPTION
)


def _is_list(view) -> bool:
    return getattr(view, "action", None) == "list"


def updated_field(view, model) -> str | None:
    named = getattr(view, "updated_field", None)
    if named:
        return named
    if model is not None and any(f.name == "updated" for f in model._meta.get_fields()):
        return "updated"
    return None


class UpdatedSinceFilter(BaseFilterBackend):
    def filter_queryset(self, request, queryset, view):
        if not _is_list(view):
            return queryset
        since = updated_since_value(request)
        if since is None:
            return queryset
        field = updated_field(view, getattr(queryset, "model", None))
        if field is None:  # a list without a change time cannot say what changed
            raise exceptions.ValidationError({PARAM: [_("This list cannot be filtered so.")]})
        return queryset.filter(**{f"{field}__gte": since})

    def get_schema_operation_parameters(self, view) -> list[dict[str, Any]]:
        if not _is_list(view):
            return []
        return [
            {
                "name": PARAM,
                "required": False,
                "in": "query",
                "description": DESCRIPTION,
                "schema": {"type": "string", "format": "date-time"},
            }
        ]


if TYPE_CHECKING:  # what the mixin is mixed into, for the type checker's Django plugin
    from django.db import models

    _ModelBase = models.Model
else:
    _ModelBase = object


class KeepsUpdatedMixin(_ModelBase):
    def save(self, *args, **kwargs):
        fields = kwargs.get("update_fields")
        if fields is not None and "updated" not in fields:
            kwargs["update_fields"] = {*fields, "updated"}
        super().save(*args, **kwargs)
