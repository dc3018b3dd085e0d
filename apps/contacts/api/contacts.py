"""API: contacts, and the consent, notes and timeline of one contact. Serializers first, then
viewsets; every write goes through a service."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from cxsuite.lib.api import TenantGenericViewSet
from cxsuite.lib.api_fields import (
    ID_REGEX,
    NamedChoiceField,
    StrictInputMixin,
    id_field,
    query_params,
    request_actor,
)
from cxsuite.lib.throttling import NewestFirstPagination

from .. import selectors, services
from ..models import (
    Channel,
    ConsentEvent,
    ConsentMethod,
    ConsentStatus,
    Contact,
    LifecycleStage,
    RfmScore,
    RfmSegment,
    Segment,
    TimelineEvent,
)
from . import examples


# --- contacts ----------------------------------------------------------------------------------
class ConsentStateSerializer(serializers.Serializer):
    email = NamedChoiceField(ConsentStatus, source="email_consent", read_only=True)
    sms = NamedChoiceField(ConsentStatus, source="sms_consent", read_only=True)
    voice = NamedChoiceField(ConsentStatus, source="voice_consent", read_only=True)


class RfmSerializer(serializers.ModelSerializer):
    segment = NamedChoiceField(RfmSegment, read_only=True)

    class Meta:
        model = RfmScore
        fields = ["r", "f", "m", "segment"]


@extend_schema_serializer(examples=examples.CONTACT)
class ContactSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    # not documented as format "email": "" when unknown is no address
    email = serializers.CharField(read_only=True, help_text='An email address, or "" if unknown')
    phone = serializers.CharField(read_only=True, help_text="E.164, e.g. +4915112345678")
    custom = serializers.DictField(read_only=True, help_text="Custom field values by key")
    consent = ConsentStateSerializer(source="*", read_only=True)
    rfm = RfmSerializer(read_only=True, allow_null=True)
    preferred_channel = NamedChoiceField(Channel, read_only=True, allow_blank=True)
    lifecycle_stage = NamedChoiceField(LifecycleStage, read_only=True)

    class Meta:
        model = Contact
        fields = [
            "id",
            "first_name",
            "last_name",
            "name",
            "email",
            "phone",
            "address_line",
            "city",
            "postal_code",
            "country",
            "birthday",
            "language",
            "time_zone",
            "preferred_channel",
            "tags",
            "owner",
            "lifecycle_stage",
            "source",
            "custom",
            "consent",
            "rfm",
            "created",
            "updated",
        ]
        read_only_fields = fields


@extend_schema_serializer(examples=examples.CONTACT_INPUT)
class ContactInputSerializer(StrictInputMixin, serializers.Serializer):
    """Only the fields sent are set (or changed); the service checks each one."""

    first_name = serializers.CharField(required=False, allow_blank=True, max_length=80)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=80)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    phone = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="Mobile number; without a +country prefix it is read with the contact's "
        "country, or the business's.",
    )
    address_line = serializers.CharField(required=False, allow_blank=True, max_length=200)
    city = serializers.CharField(required=False, allow_blank=True, max_length=80)
    postal_code = serializers.CharField(required=False, allow_blank=True, max_length=20)
    country = serializers.CharField(
        required=False, allow_blank=True, max_length=2, help_text="ISO 3166 code, e.g. DE"
    )
    birthday = serializers.DateField(required=False, allow_null=True)
    language = serializers.CharField(required=False, allow_blank=True, max_length=8)
    time_zone = serializers.CharField(
        required=False, allow_blank=True, max_length=64, help_text="e.g. Europe/Berlin"
    )
    preferred_channel = NamedChoiceField(Channel, required=False, allow_blank=True)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=100
    )
    owner = id_field(required=False, allow_null=True, help_text="Id of an active team member")
    lifecycle_stage = NamedChoiceField(LifecycleStage, required=False)
    source = serializers.CharField(required=False, allow_blank=True, max_length=40)
    custom = serializers.DictField(
        required=False, help_text='Custom field values by key; null or "" clears one'
    )


class ContactListParamsSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Search: name word prefixes, email prefix or phone digits",
    )
    tag = serializers.CharField(required=False, allow_blank=True, max_length=40)
    stage = serializers.ChoiceField(
        choices=LifecycleStage.choices, required=False, allow_blank=True
    )
    segment = id_field(required=False, help_text="Id of a segment: only its members")


class ContactViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """The business's contacts. No delete: erasing a contact is a privacy action."""

    serializer_class = ContactSerializer
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Contact.objects.none()
        params = query_params(ContactListParamsSerializer, self.request)
        segment = None
        if "segment" in params:
            segment = Segment.objects.filter(pk=params["segment"]).first()
            if segment is None:
                raise ValidationError({"segment": _("There is no segment with this id.")})
        contacts = selectors.contact_list(
            query=params.get("q", ""),
            tag=params.get("tag", ""),
            stage=params.get("stage", ""),
            segment=segment,
        )
        # The API shows custom values (the list page does not), and the RFM scores in the row.
        return contacts.select_related("rfm").defer(None).defer("search")

    def get_object(self):
        return selectors.contact_get(int(self.kwargs["pk"]))

    @extend_schema(parameters=[ContactListParamsSerializer])
    def list(self, request, *args, **kwargs):
        """Contacts, newest first; search and filters combine."""
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ContactInputSerializer, responses={201: ContactSerializer})
    def create(self, request):
        """Create a contact (source "api" unless sent); every field is checked."""
        data = ContactInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contact = services.contact_create(
            actor=request_actor(request), via="api", **data.validated_data
        )
        return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ContactInputSerializer,
        responses=ContactSerializer,
        examples=examples.CONTACT_CHANGE,
    )
    def partial_update(self, request, pk=None):
        """Change only the fields sent; the timeline records which changed."""
        contact = self.get_object()
        data = ContactInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        contact = services.contact_update(
            contact=contact, actor=request_actor(request), **data.validated_data
        )
        return Response(ContactSerializer(contact).data)


# --- consent, notes and the timeline of one contact --------------------------------------------
@extend_schema_serializer(examples=examples.CONSENT_EVENT)
class ConsentEventSerializer(serializers.ModelSerializer):
    channel = NamedChoiceField(Channel, read_only=True)
    status = NamedChoiceField(ConsentStatus, read_only=True)
    previous_status = NamedChoiceField(ConsentStatus, read_only=True)
    method = NamedChoiceField(ConsentMethod, read_only=True)

    class Meta:
        model = ConsentEvent
        fields = [
            "id",
            "channel",
            "status",
            "previous_status",
            "method",
            "actor",
            "note",
            "occurred_at",
        ]
        read_only_fields = fields


@extend_schema_serializer(examples=examples.CONSENT_INPUT)
class ConsentInputSerializer(StrictInputMixin, serializers.Serializer):
    channel = NamedChoiceField(Channel)
    status = NamedChoiceField(ConsentStatus)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


@extend_schema_serializer(examples=examples.CONSENT_RESULT)
class ConsentResultSerializer(serializers.Serializer):
    changed = serializers.BooleanField(help_text="False when the status already was the one sent")
    consent = ConsentStateSerializer()
    event = ConsentEventSerializer(allow_null=True)


@extend_schema_serializer(examples=examples.TIMELINE_EVENT)
class TimelineEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = TimelineEvent
        fields = [
            "id",
            "contact",
            "type",
            "occurred_at",
            "properties",
            "source",
            "actor",
            "client_event_id",
            "created",
        ]
        read_only_fields = fields


@extend_schema_serializer(examples=examples.NOTE_INPUT)
class NoteInputSerializer(StrictInputMixin, serializers.Serializer):
    text = serializers.CharField(max_length=5000)


class ContactNestedMixin:
    """Views under /contacts/<contact_pk>/: the contact comes from the path, or 404."""

    def contact(self) -> Contact:
        return selectors.contact_get(self.kwargs["contact_pk"])


class ContactConsentViewSet(ContactNestedMixin, mixins.ListModelMixin, TenantGenericViewSet):
    """A contact's consent history (newest first), and changing it."""

    serializer_class = ConsentEventSerializer
    updated_field = "occurred_at"  # consent events are never changed once written
    pagination_class = NewestFirstPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ConsentEvent.objects.none()
        return ConsentEvent.objects.filter(contact=self.contact())

    @extend_schema(
        request=ConsentInputSerializer,
        responses={
            201: ConsentResultSerializer,
            200: OpenApiResponse(ConsentResultSerializer, description="Already so; nothing kept"),
        },
    )
    def create(self, request, contact_pk=None):
        """Set the consent on one channel; the change is kept in the history."""
        contact = self.contact()
        data = ConsentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = services.consent_set(
            contact=contact, method="api", actor=request_actor(request), **data.validated_data
        )
        contact.refresh_from_db(fields=["email_consent", "sms_consent", "voice_consent"])
        body = {
            "changed": event is not None,
            "consent": ConsentStateSerializer(contact).data,
            "event": ConsentEventSerializer(event).data if event else None,
        }
        return Response(body, status=status.HTTP_201_CREATED if event else status.HTTP_200_OK)


class ContactNoteViewSet(ContactNestedMixin, TenantGenericViewSet):
    """Add a note to a contact's timeline."""

    serializer_class = TimelineEventSerializer

    @extend_schema(request=NoteInputSerializer, responses={201: TimelineEventSerializer})
    def create(self, request, contact_pk=None):
        contact = self.contact()
        data = NoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = services.note_add(
            contact=contact, actor=request_actor(request), **data.validated_data
        )
        return Response(TimelineEventSerializer(event).data, status=status.HTTP_201_CREATED)


class ContactEventViewSet(ContactNestedMixin, mixins.ListModelMixin, TenantGenericViewSet):
    """A contact's timeline, newest first."""

    serializer_class = TimelineEventSerializer
    pagination_class = NewestFirstPagination
    updated_field = "created"  # events are recorded, never changed

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TimelineEvent.objects.none()
        return TimelineEvent.objects.filter(contact=self.contact())


def register(router, api_urlpatterns: list) -> None:
    """Add the contact viewsets to the router and the per-contact paths to api_urlpatterns."""
    router.register("contacts", ContactViewSet, basename="contact")
    nested = "contacts/<int:contact_pk>/"
    api_urlpatterns += [
        path(
            f"{nested}consent/",
            ContactConsentViewSet.as_view({"get": "list", "post": "create"}),
            name="contact-consent",
        ),
        path(
            f"{nested}notes/", ContactNoteViewSet.as_view({"post": "create"}), name="contact-notes"
        ),
        path(
            f"{nested}events/", ContactEventViewSet.as_view({"get": "list"}), name="contact-events"
        ),
    ]
