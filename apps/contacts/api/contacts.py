"""API: contacts, consent, notes, timeline, tasks, event batches, transactions and custom field
definitions. Serializers first, then viewsets; every write goes through a service."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.accounts.models import Role, User
from cxsuite.lib.api import TenantAPIView, TenantGenericViewSet
from cxsuite.lib.throttling import CursorPagination

from .. import selectors, services
from ..models import (
    Channel,
    ConsentEvent,
    ConsentMethod,
    ConsentStatus,
    Contact,
    CustomField,
    CustomFieldType,
    LifecycleStage,
    RfmScore,
    RfmSegment,
    SalesChannel,
    Segment,
    Task,
    TimelineEvent,
    Transaction,
    TransactionKind,
)
from ..services.timeline import INGEST_MAX

ID_REGEX = r"[0-9]{1,18}"
FORM_EXTRAS = {"csrfmiddlewaretoken"}  # sent by HTML forms with a session, never a field


def _actor(request) -> User | None:
    """The team member behind a session; an API key acts as nobody in particular."""
    return request.user if isinstance(request.user, User) else None


def _params(serializer_class, request) -> dict:
    """Validated query parameters; a bad one is a 400 naming it."""
    params = serializer_class(data=request.query_params.dict())
    params.is_valid(raise_exception=True)
    return params.validated_data


def _id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, **kwargs)


class NewestFirstPagination(CursorPagination):
    """Histories page by when things happened, not by when they were stored."""

    ordering = ("-occurred_at", "-pk")


class StrictInputMixin:
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
            name=field.enum_name, type=ResolvedComponent.SCHEMA, object=field.enum_name,
            schema={"type": "string", "enum": list(field.choices), "description": "\n".join(lines)},
        )  # fmt: skip
        auto_schema.registry.register_on_missing(component)
        if field.allow_blank:
            return {"oneOf": [component.ref, {"type": "string", "enum": [""]}]}
        return component.ref


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


class ContactSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    phone = serializers.CharField(read_only=True, help_text="E.164, e.g. +4915112345678")
    custom = serializers.DictField(read_only=True, help_text="Custom field values by key")
    consent = ConsentStateSerializer(source="*", read_only=True)
    rfm = RfmSerializer(read_only=True, allow_null=True)
    preferred_channel = NamedChoiceField(Channel, read_only=True, allow_blank=True)
    lifecycle_stage = NamedChoiceField(LifecycleStage, read_only=True)

    class Meta:
        model = Contact
        fields = [
            "id", "first_name", "last_name", "name", "email", "phone", "address_line", "city",
            "postal_code", "country", "birthday", "language", "time_zone", "preferred_channel",
            "tags", "owner", "lifecycle_stage", "source", "custom", "consent", "rfm", "created",
            "updated",
        ]  # fmt: skip
        read_only_fields = fields


class ContactInputSerializer(StrictInputMixin, serializers.Serializer):
    """Only the fields sent are set (or changed); the service checks each one."""

    first_name = serializers.CharField(required=False, allow_blank=True, max_length=80)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=80)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    phone = serializers.CharField(
        required=False, allow_blank=True, max_length=40,
        help_text="Mobile number; without a +country prefix it is read with the contact's "
        "country, or the business's.",
    )  # fmt: skip
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
    owner = _id_field(required=False, allow_null=True, help_text="Id of an active team member")
    lifecycle_stage = NamedChoiceField(LifecycleStage, required=False)
    source = serializers.CharField(required=False, allow_blank=True, max_length=40)
    custom = serializers.DictField(
        required=False, help_text='Custom field values by key; null or "" clears one'
    )


class ContactListParamsSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=200,
        help_text="Search: name word prefixes, email prefix or phone digits",
    )  # fmt: skip
    tag = serializers.CharField(required=False, allow_blank=True, max_length=40)
    stage = serializers.ChoiceField(
        choices=LifecycleStage.choices, required=False, allow_blank=True
    )
    segment = _id_field(required=False, help_text="Id of a segment: only its members")
    updated_since = serializers.DateTimeField(
        required=False, help_text="ISO 8601; contacts changed at or after this time"
    )


class ContactViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """The business's contacts. No delete: erasing a contact is a privacy action."""

    serializer_class = ContactSerializer
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Contact.objects.none()
        params = _params(ContactListParamsSerializer, self.request)
        segment = None
        if "segment" in params:
            segment = Segment.objects.filter(pk=params["segment"]).first()
            if segment is None:
                raise ValidationError({"segment": _("There is no segment with this id.")})
        contacts = selectors.contact_list(
            query=params.get("q", ""), tag=params.get("tag", ""), stage=params.get("stage", ""),
            segment=segment,
        )  # fmt: skip
        if "updated_since" in params:
            contacts = contacts.filter(updated__gte=params["updated_since"])
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
            actor=_actor(request), source="api", **data.validated_data
        )
        return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ContactInputSerializer, responses=ContactSerializer)
    def partial_update(self, request, pk=None):
        """Change only the fields sent; the timeline records which changed."""
        contact = self.get_object()
        data = ContactInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        contact = services.contact_update(
            contact=contact, actor=_actor(request), **data.validated_data
        )
        return Response(ContactSerializer(contact).data)


# --- consent, notes and the timeline of one contact --------------------------------------------
class ConsentEventSerializer(serializers.ModelSerializer):
    channel = NamedChoiceField(Channel, read_only=True)
    status = NamedChoiceField(ConsentStatus, read_only=True)
    previous_status = NamedChoiceField(ConsentStatus, read_only=True)
    method = NamedChoiceField(ConsentMethod, read_only=True)

    class Meta:
        model = ConsentEvent
        fields = [
            "id", "channel", "status", "previous_status", "method", "actor", "note", "occurred_at",
        ]  # fmt: skip
        read_only_fields = fields


class ConsentInputSerializer(StrictInputMixin, serializers.Serializer):
    channel = NamedChoiceField(Channel)
    status = NamedChoiceField(ConsentStatus)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class ConsentResultSerializer(serializers.Serializer):
    changed = serializers.BooleanField(help_text="False when the status already was the one sent")
    consent = ConsentStateSerializer()
    event = ConsentEventSerializer(allow_null=True)


class TimelineEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = TimelineEvent
        fields = [
            "id", "contact", "type", "occurred_at", "properties", "source", "actor",
            "client_event_id", "created",
        ]  # fmt: skip
        read_only_fields = fields


class NoteInputSerializer(StrictInputMixin, serializers.Serializer):
    text = serializers.CharField(max_length=5000)


class ContactNestedMixin:
    """Views under /contacts/<contact_pk>/: the contact comes from the path, or 404."""

    def contact(self) -> Contact:
        return selectors.contact_get(self.kwargs["contact_pk"])


class ContactConsentViewSet(ContactNestedMixin, mixins.ListModelMixin, TenantGenericViewSet):
    """A contact's consent history (newest first), and changing it."""

    serializer_class = ConsentEventSerializer
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
    )  # fmt: skip
    def create(self, request, contact_pk=None):
        """Set the consent on one channel; the change is kept in the history."""
        contact = self.contact()
        data = ConsentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = services.consent_set(
            contact=contact, method="api", actor=_actor(request), **data.validated_data
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
        event = services.note_add(contact=contact, actor=_actor(request), **data.validated_data)
        return Response(TimelineEventSerializer(event).data, status=status.HTTP_201_CREATED)


class ContactEventViewSet(ContactNestedMixin, mixins.ListModelMixin, TenantGenericViewSet):
    """A contact's timeline, newest first."""

    serializer_class = TimelineEventSerializer
    pagination_class = NewestFirstPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TimelineEvent.objects.none()
        return TimelineEvent.objects.filter(contact=self.contact())


# --- tasks -------------------------------------------------------------------------------------
class TaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = [
            "id", "contact", "title", "due_date", "assignee", "created_by", "done_at", "created",
        ]  # fmt: skip
        read_only_fields = fields


class TaskInputSerializer(StrictInputMixin, serializers.Serializer):
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.filter(erased_at__isnull=True)
    )
    title = serializers.CharField(max_length=200)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True, default=None
    )


class TaskListParamsSerializer(serializers.Serializer):
    assignee = _id_field(required=False, help_text="Id of a team member")
    contact = _id_field(required=False)
    open = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="true: only tasks not done"
    )


class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """Follow-ups about contacts for team members."""

    serializer_class = TaskSerializer
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        tasks = Task.objects.all()
        if getattr(self, "swagger_fake_view", False) or self.action != "list":
            return tasks
        params = _params(TaskListParamsSerializer, self.request)
        if "assignee" in params:
            tasks = tasks.filter(assignee_id=params["assignee"])
        if "contact" in params:
            tasks = tasks.filter(contact_id=params["contact"])
        if params.get("open") is not None:
            tasks = tasks.filter(done_at__isnull=params["open"])
        return tasks

    @extend_schema(parameters=[TaskListParamsSerializer])
    def list(self, request, *args, **kwargs):
        """Tasks, newest first; filter by assignee, contact or open."""
        return super().list(request, *args, **kwargs)

    @extend_schema(request=TaskInputSerializer, responses={201: TaskSerializer})
    def create(self, request):
        """Create a follow-up about a contact."""
        data = TaskInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = services.task_create(created_by=_actor(request), **data.validated_data)
        return Response(TaskSerializer(task).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Mark the task done (a second call keeps the first time)."""
        task = services.task_complete(task=self.get_object(), actor=_actor(request))
        return Response(TaskSerializer(task).data)


# --- behavioural events in batches -------------------------------------------------------------
class EventItemSerializer(serializers.Serializer):
    """One event of a batch (documentation; the service checks each item and reports by index)."""

    contact_id = serializers.IntegerField(required=False, help_text="The contact's id, or:")
    email = serializers.EmailField(required=False, help_text="the contact's email")
    type = serializers.CharField(max_length=64, help_text="e.g. page.viewed (no spaces)")
    occurred_at = serializers.DateTimeField(required=False, help_text="ISO 8601 with offset")
    properties = serializers.DictField(required=False)
    client_event_id = serializers.CharField(
        required=False, max_length=100, help_text="Your id; a resent event is not stored twice"
    )


@extend_schema_field(EventItemSerializer)
class EventItemField(serializers.JSONField):
    """Taken as sent, so that one bad item is reported by index instead of refusing the batch."""


class EventBatchInputSerializer(StrictInputMixin, serializers.Serializer):
    events = serializers.ListField(child=EventItemField(), min_length=1, max_length=INGEST_MAX)


class EventBatchErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class EventBatchResultSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    created = serializers.IntegerField()
    duplicates = serializers.IntegerField(help_text="Client event ids already stored")
    errors = EventBatchErrorSerializer(many=True)


class EventBatchView(TenantAPIView):
    """Take up to 1,000 behavioural events at once; resending a batch stores nothing twice."""

    @extend_schema(
        request=EventBatchInputSerializer, responses=EventBatchResultSerializer,
        operation_id="events_batch_create",
    )  # fmt: skip
    def post(self, request):
        data = EventBatchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.events_ingest(events=data.validated_data["events"], source="api")
        return Response(EventBatchResultSerializer(result).data)


# --- transactions ------------------------------------------------------------------------------
class TransactionSerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(TransactionKind, read_only=True)
    channel = NamedChoiceField(SalesChannel, read_only=True)

    class Meta:
        model = Transaction
        fields = [
            "id", "contact", "kind", "amount", "currency", "occurred_at", "items", "channel",
            "external_ref", "refund_of", "created",
        ]  # fmt: skip
        read_only_fields = fields


class TransactionRefundInputSerializer(StrictInputMixin, serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    occurred_at = serializers.DateTimeField(required=False)
    external_ref = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Unique when given"
    )


class TransactionInputSerializer(TransactionRefundInputSerializer):
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.filter(erased_at__isnull=True)
    )
    currency = serializers.CharField(max_length=3, help_text="ISO 4217, e.g. EUR")
    items = serializers.ListField(child=serializers.JSONField(), required=False)
    channel = NamedChoiceField(SalesChannel, required=False)


class TransactionListParamsSerializer(serializers.Serializer):
    contact = _id_field(required=False)


class TransactionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """Purchases and refunds; a purchase makes the contact a customer and refreshes their RFM."""

    serializer_class = TransactionSerializer
    pagination_class = NewestFirstPagination
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        transactions = Transaction.objects.all()
        if getattr(self, "swagger_fake_view", False) or self.action != "list":
            return transactions
        params = _params(TransactionListParamsSerializer, self.request)
        if "contact" in params:
            transactions = transactions.filter(contact_id=params["contact"])
        return transactions

    @extend_schema(parameters=[TransactionListParamsSerializer])
    def list(self, request, *args, **kwargs):
        """Purchases and refunds, most recent first."""
        return super().list(request, *args, **kwargs)

    @extend_schema(request=TransactionInputSerializer, responses={201: TransactionSerializer})
    def create(self, request):
        """Record a purchase (once per external_ref)."""
        data = TransactionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tx = services.transaction_record(**data.validated_data)
        return Response(TransactionSerializer(tx).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TransactionRefundInputSerializer, responses={201: TransactionSerializer})
    @action(detail=True, methods=["post"])
    def refund(self, request, pk=None):
        """Refund (part of) this purchase, in its currency."""
        purchase = self.get_object()
        if purchase.kind != TransactionKind.PURCHASE:
            raise ValidationError({"refund_of": _("Only a purchase can be refunded.")})
        data = TransactionRefundInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        refund = services.transaction_record(
            contact=purchase.contact, currency=purchase.currency, channel=purchase.channel,
            kind=TransactionKind.REFUND, refund_of=purchase, **data.validated_data,
        )  # fmt: skip
        return Response(TransactionSerializer(refund).data, status=status.HTTP_201_CREATED)


# --- custom field definitions ------------------------------------------------------------------
class CustomFieldSerializer(serializers.ModelSerializer):
    type = NamedChoiceField(CustomFieldType, read_only=True)

    class Meta:
        model = CustomField
        fields = ["id", "key", "label", "type", "choices", "required", "created"]
        read_only_fields = fields


class CustomFieldInputSerializer(StrictInputMixin, serializers.Serializer):
    key = serializers.CharField(
        max_length=40, help_text="Lowercase letters, digits and _; fixed once created"
    )
    label = serializers.CharField(max_length=80)
    type = NamedChoiceField(CustomFieldType, help_text="Fixed once created")
    choices = serializers.ListField(
        child=serializers.CharField(max_length=80), required=False, default=list,
        help_text="Required for choice fields",
    )  # fmt: skip
    required = serializers.BooleanField(required=False, default=False)


class CustomFieldUpdateInputSerializer(StrictInputMixin, serializers.Serializer):
    label = serializers.CharField(max_length=80, required=False)
    choices = serializers.ListField(child=serializers.CharField(max_length=80), required=False)
    required = serializers.BooleanField(required=False)


class CustomFieldViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """The fields this business adds to its contacts; managers (or write keys) change them."""

    serializer_class = CustomFieldSerializer
    write_role = Role.MANAGER
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return CustomField.objects.all()

    @extend_schema(request=CustomFieldInputSerializer, responses={201: CustomFieldSerializer})
    def create(self, request):
        """Define a custom field; key and type cannot change later."""
        data = CustomFieldInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        field = services.custom_field_create(**data.validated_data)
        return Response(CustomFieldSerializer(field).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CustomFieldUpdateInputSerializer, responses=CustomFieldSerializer)
    def partial_update(self, request, pk=None):
        """Change the label, choices or whether the field is required."""
        field = self.get_object()
        data = CustomFieldUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        field = services.custom_field_update(field=field, **data.validated_data)
        return Response(CustomFieldSerializer(field).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        """Delete the field and its values on every contact."""
        services.custom_field_delete(field=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router, api_urlpatterns: list) -> None:
    """Add this module's viewsets to the router and any extra paths to api_urlpatterns."""
    router.register("contacts", ContactViewSet, basename="contact")
    router.register("tasks", TaskViewSet, basename="task")
    router.register("transactions", TransactionViewSet, basename="transaction")
    router.register("custom-fields", CustomFieldViewSet, basename="custom-field")
    nested = "contacts/<int:contact_pk>/"
    api_urlpatterns += [
        path(f"{nested}consent/", ContactConsentViewSet.as_view({"get": "list", "post": "create"}),
             name="contact-consent"),
        path(f"{nested}notes/", ContactNoteViewSet.as_view({"post": "create"}),
             name="contact-notes"),
        path(f"{nested}events/", ContactEventViewSet.as_view({"get": "list"}),
             name="contact-events"),
        path("events/batch/", EventBatchView.as_view(), name="events-batch"),
    ]  # fmt: skip
