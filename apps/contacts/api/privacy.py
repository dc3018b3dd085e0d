"""Privacy requests through the API: everything held on a contact as JSON, and erasure."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response

from apps.accounts.choices import Role
from cxsuite.lib.api import TenantGenericViewSet
from cxsuite.lib.api_fields import request_actor

from ..models import ConsentMethod, Contact
from ..selectors import contact_get
from ..services.privacy import contact_erase, contact_export_data
from . import examples


@extend_schema_serializer(examples=examples.CONTACT_ERASED)
class ContactErasedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "erased_at"]
        read_only_fields = fields


class ContactPrivacyViewSet(TenantGenericViewSet):
    """The right of access (export) and the right to erasure of one contact."""

    read_role = Role.STAFF
    write_role = Role.MANAGER
    serializer_class = ContactErasedSerializer
    queryset = Contact.objects.none()

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        operation_id="contacts_privacy_export",
        examples=examples.CONTACT_EXPORT,
    )
    def export(self, request, pk: int):
        """Everything held on the contact: profile, custom fields, consent and its history,
        timeline, tasks, transactions, lists and RFM."""
        return Response(contact_export_data(contact_get(pk)))

    @extend_schema(
        request=None,
        responses={200: ContactErasedSerializer},
        operation_id="contacts_privacy_erase",
    )
    def erase(self, request, pk: int):
        """Erase the contact's personal data for good (totals are kept); repeating it is
        harmless."""
        actor = request_actor(request)
        method = ConsentMethod.STAFF if actor else ConsentMethod.API
        contact = contact_erase(contact=contact_get(pk), actor=actor, method=method)
        return Response(ContactErasedSerializer(contact).data)


def register(router, api_urlpatterns: list) -> None:
    """Add the two privacy paths (they sit under /contacts/<id>/ beside the router's)."""
    from django.urls import path

    api_urlpatterns += [
        path(
            "contacts/<int:pk>/export/",
            ContactPrivacyViewSet.as_view({"get": "export"}),
            name="contact-privacy-export",
        ),
        path(
            "contacts/<int:pk>/erase/",
            ContactPrivacyViewSet.as_view({"post": "erase"}),
            name="contact-privacy-erase",
        ),
    ]
