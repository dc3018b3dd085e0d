"""API: tasks, behavioural event batches, transactions and custom field definitions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.accounts.choices import Role
from apps.accounts.selectors import users_active
from cxsuite.lib.api import TenantAPIView, TenantGenericViewSet
from cxsuite.lib.api_fields import (
    ID_REGEX,
    NamedChoiceField,
    StrictInputMixin,
    id_field,
    query_params,
    request_actor,
)
from cxsuite.lib.throttling import NewestFirstPagination

from .. import services
from ..catalogue import partner_event_types
from ..models import (
    Contact,
    CustomField,
    CustomFieldType,
    SalesChannel,
    Task,
    Transaction,
    TransactionKind,
)
from ..registries import event_types
from ..services.timeline import INGEST_MAX
from . import examples


# --- tasks -------------------------------------------------------------------------------------
@extend_schema_serializer(examples=examples.TASK)
class TaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = [
            "id",
            "contact",
            "title",
            "due_date",
            "assignee",
            "created_by",
            "done_at",
            "created",
        ]
        read_only_fields = fields


@extend_schema_serializer(examples=examples.TASK_INPUT)
class TaskInputSerializer(StrictInputMixin, serializers.Serializer):
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.filter(erased_at__isnull=True)
    )
    title = serializers.CharField(max_length=200)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=users_active(), required=False, allow_null=True, default=None
    )


class TaskListParamsSerializer(serializers.Serializer):
    assignee = id_field(required=False, help_text="Id of a team member")
    contact = id_field(required=False)
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
        params = query_params(TaskListParamsSerializer, self.request)
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
        task = services.task_create(created_by=request_actor(request), **data.validated_data)
        return Response(TaskSerializer(task).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=TaskSerializer, examples=examples.TASK_DONE)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Mark the task done (a second call keeps the first time)."""
        task = services.task_complete(task=self.get_object(), actor=request_actor(request))
        return Response(TaskSerializer(task).data)


# --- behavioural events in batches -------------------------------------------------------------
class EventItemSerializer(serializers.Serializer):
    """One event of a batch (documentation; the service checks each item and reports by index)."""

    contact_id = serializers.IntegerField(required=False, help_text="The contact's id, or:")
    email = serializers.EmailField(required=False, help_text="the contact's email")
    type = serializers.ChoiceField(choices=[], help_text="One of the types partners may post")
    occurred_at = serializers.DateTimeField(required=False, help_text="ISO 8601 with offset")
    properties = serializers.DictField(required=False)
    client_event_id = serializers.CharField(
        required=False, max_length=100, help_text="Your id; a resent event is not stored twice"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [t.name for t in partner_event_types()]


@extend_schema_field(EventItemSerializer)
class EventItemField(serializers.JSONField):
    """Taken as sent, so that one bad item is reported by index instead of refusing the batch."""


@extend_schema_serializer(examples=examples.EVENT_BATCH_INPUT)
class EventBatchInputSerializer(StrictInputMixin, serializers.Serializer):
    events = serializers.ListField(child=EventItemField(), min_length=1, max_length=INGEST_MAX)


class EventBatchErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


@extend_schema_serializer(examples=examples.EVENT_BATCH_RESULT)
class EventBatchResultSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    created = serializers.IntegerField()
    duplicates = serializers.IntegerField(help_text="Client event ids already stored")
    errors = EventBatchErrorSerializer(many=True)


class EventBatchView(TenantAPIView):
    """Take up to 1,000 behavioural events at once; resending a batch stores nothing twice."""

    @extend_schema(
        request=EventBatchInputSerializer,
        responses=EventBatchResultSerializer,
        operation_id="events_batch_create",
    )
    def post(self, request):
        data = EventBatchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.events_ingest(
            events=data.validated_data["events"], source="api", partner=True
        )
        return Response(EventBatchResultSerializer(result).data)


@extend_schema_serializer(examples=examples.EVENT_TYPE)
class EventTypeSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    properties = serializers.DictField(
        child=serializers.CharField(), help_text="Each property and what it holds"
    )
    personal = serializers.ListField(
        child=serializers.CharField(), help_text="Properties removed when the contact is erased"
    )
    partner = serializers.BooleanField(help_text="Partners may post it to events/batch/")


class EventTypeListView(TenantAPIView):
    """The event catalogue: every timeline event type, its properties, and which ones partners
    may post."""

    pagination_class = None

    @extend_schema(responses=EventTypeSerializer(many=True), operation_id="event_types_list")
    def get(self, request):
        rows = [
            {
                "name": t.name,
                "label": str(t.label),
                "properties": {k: str(v) for k, v in t.properties.items()},
                "personal": sorted(t.personal),
                "partner": t.partner,
            }
            for t in sorted(event_types.values(), key=lambda t: t.name)
        ]
        return Response(EventTypeSerializer(rows, many=True).data)


# --- transactions ------------------------------------------------------------------------------
@extend_schema_serializer(examples=examples.TRANSACTION)
class TransactionSerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(TransactionKind, read_only=True)
    channel = NamedChoiceField(SalesChannel, read_only=True)

    class Meta:
        model = Transaction
        fields = [
            "id",
            "contact",
            "kind",
            "amount",
            "currency",
            "occurred_at",
            "items",
            "channel",
            "external_ref",
            "refund_of",
            "created",
        ]
        read_only_fields = fields


@extend_schema_serializer(examples=examples.TRANSACTION_REFUND_INPUT)
class TransactionRefundInputSerializer(StrictInputMixin, serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    occurred_at = serializers.DateTimeField(required=False)
    external_ref = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Unique when given"
    )


@extend_schema_serializer(examples=examples.TRANSACTION_INPUT)
class TransactionInputSerializer(TransactionRefundInputSerializer):
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.filter(erased_at__isnull=True)
    )
    currency = serializers.CharField(
        max_length=3,
        required=False,
        help_text="ISO 4217, e.g. EUR; the business's currency when left out",
    )
    items = serializers.ListField(child=serializers.JSONField(), required=False)
    channel = NamedChoiceField(SalesChannel, required=False)


class TransactionListParamsSerializer(serializers.Serializer):
    contact = id_field(required=False)


class TransactionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """Purchases and refunds; a purchase makes the contact a customer and refreshes their RFM."""

    serializer_class = TransactionSerializer
    pagination_class = NewestFirstPagination
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        transactions = Transaction.objects.all()
        if getattr(self, "swagger_fake_view", False) or self.action != "list":
            return transactions
        params = query_params(TransactionListParamsSerializer, self.request)
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

    @extend_schema(
        request=TransactionRefundInputSerializer,
        responses={201: TransactionSerializer},
        examples=[*examples.TRANSACTION_REFUND_INPUT, *examples.TRANSACTION_REFUND],
    )
    @action(detail=True, methods=["post"])
    def refund(self, request, pk=None):
        """Refund (part of) this purchase, in its currency."""
        purchase = self.get_object()
        if purchase.kind != TransactionKind.PURCHASE:
            raise ValidationError({"refund_of": _("Only a purchase can be refunded.")})
        data = TransactionRefundInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        refund = services.transaction_record(
            contact=purchase.contact,
            currency=purchase.currency,
            channel=purchase.channel,
            kind=TransactionKind.REFUND,
            refund_of=purchase,
            **data.validated_data,
        )
        return Response(TransactionSerializer(refund).data, status=status.HTTP_201_CREATED)


# --- custom field definitions ------------------------------------------------------------------
@extend_schema_serializer(examples=examples.CUSTOM_FIELD)
class CustomFieldSerializer(serializers.ModelSerializer):
    type = NamedChoiceField(CustomFieldType, read_only=True)

    class Meta:
        model = CustomField
        fields = ["id", "key", "label", "type", "choices", "required", "created"]
        read_only_fields = fields


@extend_schema_serializer(examples=examples.CUSTOM_FIELD_INPUT)
class CustomFieldInputSerializer(StrictInputMixin, serializers.Serializer):
    key = serializers.CharField(
        max_length=40, help_text="Lowercase letters, digits and _; fixed once created"
    )
    label = serializers.CharField(max_length=80)
    type = NamedChoiceField(CustomFieldType, help_text="Fixed once created")
    choices = serializers.ListField(
        child=serializers.CharField(max_length=80),
        required=False,
        default=list,
        help_text="Required for choice fields",
    )
    required = serializers.BooleanField(required=False, default=False)


@extend_schema_serializer(examples=examples.CUSTOM_FIELD_UPDATE_INPUT)
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
    """Add tasks, transactions and custom fields to the router, and the event batch path."""
    router.register("tasks", TaskViewSet, basename="task")
    router.register("transactions", TransactionViewSet, basename="transaction")
    router.register("custom-fields", CustomFieldViewSet, basename="custom-field")
    api_urlpatterns.append(path("events/batch/", EventBatchView.as_view(), name="events-batch"))
    api_urlpatterns.append(path("event-types/", EventTypeListView.as_view(), name="event-types"))
