"""API: the wording of each purpose per channel and language, as in Messages → Templates. Reads
show the business's own wording or the shipped default; a change goes through the editor's
service and checks (`template_save`: known variables only, a subject for e-mails); a reset
goes back to the shipped wording. Staff (or read keys) read; managers (or write keys) change."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.response import Response

from apps.accounts.choices import Role
from apps.contacts.choices import Channel
from cxsuite.lib.api import TenantGenericViewSet
from cxsuite.lib.api_fields import NamedChoiceField, StrictInputMixin, query_params
from cxsuite.lib.filters import updated_since_value
from cxsuite.lib.throttling import SortedListPagination

from .. import selectors
from ..models import Template
from ..registries import purposes
from ..services.templates import template_delete, template_save
from . import examples


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


@extend_schema_serializer(examples=examples.TEMPLATE)
class TemplateSerializer(serializers.Serializer):
    purpose = serializers.CharField(help_text="Why the business writes, e.g. appointment_reminder")
    purpose_label = serializers.CharField()
    channel = NamedChoiceField(Channel)
    language = serializers.CharField(help_text="Language code, e.g. en")
    subject = serializers.CharField(help_text='The e-mail\'s subject; "" on other channels')
    body = serializers.CharField(
        help_text="The message, with variables like {{ contact.first_name }}"
    )
    own = serializers.BooleanField(
        help_text="true: the business's own wording; false: the shipped default"
    )
    updated = serializers.DateTimeField(
        allow_null=True, help_text="When the own wording was last saved; null for the default"
    )
    variables = serializers.ListField(
        child=serializers.CharField(),
        help_text="The variables this purpose's messages may use (custom fields included)",
    )


@extend_schema_serializer(examples=examples.TEMPLATE_INPUT)
class TemplateInputSerializer(StrictInputMixin, serializers.Serializer):
    subject = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        default="",
        help_text="Required for e-mail; leave out on SMS and voice",
    )
    body = serializers.CharField(
        max_length=20_000,
        allow_blank=True,
        help_text="Only the variables listed in `variables` may be used",
    )


class TemplateListParamsSerializer(serializers.Serializer):
    purpose = serializers.SlugField(required=False, allow_blank=True, max_length=60)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False, allow_blank=True)


class TemplatePages(SortedListPagination):
    """In purpose, channel, language order."""


PATH_PARAMETERS = [
    OpenApiParameter(
        "purpose",
        OpenApiTypes.STR,
        OpenApiParameter.PATH,
        pattern=r"^[-a-zA-Z0-9_]+$",
        description="e.g. appointment_reminder",
    ),
    OpenApiParameter("channel", OpenApiTypes.STR, OpenApiParameter.PATH, enum=Channel.values),
    OpenApiParameter("language", OpenApiTypes.STR, OpenApiParameter.PATH, enum=_languages()),
]


class TemplateViewSet(TenantGenericViewSet):
    """Message templates per purpose, channel and language."""

    serializer_class = TemplateSerializer
    pagination_class = TemplatePages
    queryset = Template.objects.none()  # for the schema: rows come from the selector
    read_role = Role.STAFF
    write_role = Role.MANAGER

    def get_object(self) -> selectors.TemplateWording:
        """The wording the path names, or 404 (DRF's OPTIONS answer asks for it too)."""
        return selectors.template_wording_get(
            purpose=self.kwargs["purpose"],
            channel=self.kwargs["channel"],
            language=self.kwargs["language"],
        )

    @extend_schema(parameters=[TemplateListParamsSerializer])
    def list(self, request):
        """Every wording there is, the business's own or the shipped default, in purpose,
        channel and language order; filter by purpose, channel or language."""
        params = query_params(TemplateListParamsSerializer, request)
        rows = selectors.template_wordings(
            purpose=params.get("purpose", ""),
            channel=params.get("channel", ""),
            language=params.get("language", ""),
        )
        since = updated_since_value(request)
        if since is not None:  # the shipped wordings (never saved here) have not changed
            rows = [row for row in rows if row.updated is not None and row.updated >= since]
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(TemplateSerializer(page, many=True).data)

    @extend_schema(parameters=PATH_PARAMETERS)
    def retrieve(self, request, purpose: str, channel: str, language: str):
        """The wording a customer gets for this purpose on this channel in this language."""
        return Response(TemplateSerializer(self.get_object()).data)

    @extend_schema(
        parameters=PATH_PARAMETERS,
        request=TemplateInputSerializer,
        responses=TemplateSerializer,
    )
    def update(self, request, purpose: str, channel: str, language: str):
        """Save the business's own wording (checked as in the editor: only the purpose's
        variables, a subject for e-mails). Sending the same wording again changes nothing."""
        _known(purpose, channel, language)
        data = TemplateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subject = data.validated_data["subject"]
        if channel != Channel.EMAIL and subject.strip():
            raise ValidationError({"subject": _("Only e-mails have a subject.")})
        template_save(
            purpose=purpose,
            channel=channel,
            language=language,
            subject=subject,
            body=data.validated_data["body"],
        )
        return Response(TemplateSerializer(self.get_object()).data)

    @extend_schema(
        parameters=PATH_PARAMETERS,
        responses={204: OpenApiResponse(description="Back to the shipped wording (if any).")},
    )
    def destroy(self, request, purpose: str, channel: str, language: str):
        """Drop the business's own wording: the shipped default applies again (repeating it
        is harmless)."""
        _known(purpose, channel, language)
        template_delete(purpose=purpose, channel=channel, language=language)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _known(purpose: str, channel: str, language: str) -> None:
    """A purpose, channel and language that exist, or 404 (as reading them would be)."""
    if purpose not in purposes or channel not in Channel.values or language not in _languages():
        raise Http404


def register(router, api_urlpatterns: list) -> None:
    """The list, and one wording under /templates/<purpose>/<channel>/<language>/."""
    api_urlpatterns += [
        path("templates/", TemplateViewSet.as_view({"get": "list"}), name="template-list"),
        path(
            "templates/<slug:purpose>/<str:channel>/<str:language>/",
            TemplateViewSet.as_view({"get": "retrieve", "put": "update", "delete": "destroy"}),
            name="template-detail",
        ),
    ]
