"""What the API modules of every app share: strict input serializers, named choice fields, ids,
validated query parameters and who is acting.

No app is imported here at module level: the apps build on this module, not the other way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

if TYPE_CHECKING:
    from apps.accounts.models import User

if TYPE_CHECKING:
    from apps.accounts.models import User

ID_REGEX = r"[0-9]{1,18}"
FORM_EXTRAS = {"csrfmiddlewaretoken"}  # sent by HTML forms with a session, never a field


def request_actor(request) -> User | None:
    """The team member behind a session; an API key or a partner app acts as nobody in
    particular."""
    user = request.user
    if not user.is_authenticated or getattr(user, "client_ident", None) is not None:
        return None
    return user


def query_params(serializer_class, request) -> dict:
    """Validated query parameters; a bad one is a 400 naming it."""
    params = serializer_class(data=request.query_params.dict())
    params.is_valid(raise_exception=True)
    return params.validated_data


def id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, **kwargs)


if TYPE_CHECKING:
    _SerializerBase = serializers.Serializer  # what the mixin is mixed into
else:
    _SerializerBase = object


class StrictInputMixin(_SerializerBase):
    """Refuse fields an endpoint does not take, so a typo is reported instead of ignored."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            accepted = {n for n, f in self.fields.items() if not f.read_only} | FORM_EXTRAS
            unknown = sorted(set(data) - accepted)
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("This field cannot be set here.")] for name in unknown}
                )
        return super().to_internal_value(data)


class NamedChoiceField(serializers.ChoiceField):
    """A choice field documented as one named enum (`ChannelEnum`, ...) wherever it is used, so
    one choice set never gets two names and two sets never share one (fields named "channel"
    or "status" mean different things across the API)."""

    def __init__(self, choices_class: type[models.TextChoices], **kwargs):
        self.enum_name = f"{choices_class.__name__}Enum"
        super().__init__(choices=choices_class.choices, **kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        lines = [f"* `{value}` - {label}" for value, label in field.choices.items()]
        component = ResolvedComponent(
            name=field.enum_name,
            type=ResolvedComponent.SCHEMA,
            object=field.enum_name,
            schema={"type": "string", "enum": list(field.choices), "description": "\n".join(lines)},
        )
        auto_schema.registry.register_on_missing(component)
        if field.allow_blank:
            return {"oneOf": [component.ref, {"type": "string", "enum": [""]}]}
        return component.ref
