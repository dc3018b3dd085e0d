"""API: the waitlist. A customer waits for a service between two dates (with one staff member
or anyone); when a cancellation frees a matching time they are told, and the first to book
gets it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from apps.contacts.selectors import contact_find
from cxsuite.lib.api import TenantGenericViewSet
from cxsuite.lib.api_fields import (
    ID_REGEX,
    NamedChoiceField,
    StrictInputMixin,
    id_field,
    query_params,
)

from ..models import Service, StaffMember, WaitlistEntry, WaitlistStatus
from ..services.waitlist import waitlist_join, waitlist_leave
from . import examples
from .common import DayField

if TYPE_CHECKING:
    from apps.contacts.models import Contact


@extend_schema_serializer(examples=examples.WAITLIST_ENTRY)
class WaitlistEntrySerializer(serializers.ModelSerializer):
    status = NamedChoiceField(WaitlistStatus, read_only=True)
    appointment = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text="The appointment booked from this entry, once booked (else null)",
    )

    class Meta:
        model = WaitlistEntry
        fields = [
            "id",
            "contact",
            "service",
            "staff",
            "date_from",
            "date_to",
            "status",
            "notified_at",
            "appointment",
            "created",
        ]
        read_only_fields = fields


@extend_schema_serializer(examples=examples.WAITLIST_ENTRY_INPUT)
class WaitlistEntryInputSerializer(StrictInputMixin, serializers.Serializer):
    contact = id_field(help_text="Id of the contact who waits")
    service = id_field(help_text="Id of the service they want")
    date_from = DayField(help_text="First day that would suit them")
    date_to = DayField(help_text="Last day that would suit them (included)")
    staff = id_field(
        required=False,
        allow_null=True,
        default=None,
        help_text="Id of the staff member they want; leave out for anyone",
    )

    def validate_contact(self, value: int) -> Contact:
        contact = contact_find(pk=value)
        if contact is None:
            raise serializers.ValidationError(_("There is no contact with this id."))
        return contact

    def validate_service(self, value: int) -> Service:
        service = Service.objects.filter(pk=value).first()
        if service is None:
            raise serializers.ValidationError(_("There is no service with this id."))
        return service

    def validate_staff(self, value: int | None) -> StaffMember | None:
        if value is None:
            return None
        staff = StaffMember.objects.filter(pk=value).first()
        if staff is None:
            raise serializers.ValidationError(_("There is no staff member with this id."))
        return staff


class WaitlistListParamsSerializer(serializers.Serializer):
    service = id_field(required=False)
    contact = id_field(required=False)
    status = NamedChoiceField(WaitlistStatus, required=False)


class WaitlistEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """Customers waiting for a free time."""

    serializer_class = WaitlistEntrySerializer
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        entries = WaitlistEntry.objects.all()
        if getattr(self, "swagger_fake_view", False) or self.action != "list":
            return entries
        params = query_params(WaitlistListParamsSerializer, self.request)
        for name in ("service", "contact"):
            if name in params:
                entries = entries.filter(**{f"{name}_id": params[name]})
        if "status" in params:
            entries = entries.filter(status=params["status"])
        return entries

    @extend_schema(parameters=[WaitlistListParamsSerializer])
    def list(self, request, *args, **kwargs):
        """Waitlist entries, newest first; the filters combine."""
        return super().list(request, *args, **kwargs)

    @extend_schema(request=WaitlistEntryInputSerializer, responses={201: WaitlistEntrySerializer})
    def create(self, request):
        """Put a contact on the waitlist for a service and a range of days (at most 90, from
        today on); the same wish again returns the entry they already have."""
        data = WaitlistEntryInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = waitlist_join(**data.validated_data)
        return Response(WaitlistEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: OpenApiResponse(description="Left the waitlist.")})
    def destroy(self, request, pk=None):
        """Take the contact off the waitlist: they hear of no more free times (the entry stays,
        as cancelled)."""
        waitlist_leave(entry=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router, api_urlpatterns: list) -> None:
    router.register("waitlist", WaitlistEntryViewSet, basename="waitlist-entry")
