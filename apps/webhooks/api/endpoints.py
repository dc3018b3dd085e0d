"""API: webhook endpoints (subscriptions), their secret, their delivery log and replays.

Owners and managers (or an API key) manage them; the secret comes once, in the answer that
creates or rotates it."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from apps.accounts.choices import Role
from cxsuite.lib.api import TenantGenericViewSet
from cxsuite.lib.api_fields import (
    ID_REGEX,
    NamedChoiceField,
    StrictInputMixin,
    query_params,
    request_actor,
)

from .. import selectors, services
from ..models import (
    DeliveryStatus,
    DisabledReason,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from . import examples


@extend_schema_serializer(examples=examples.ENDPOINT)
class WebhookEndpointSerializer(serializers.ModelSerializer):
    event_types = serializers.ListField(
        child=serializers.CharField(),
        help_text="Event types it receives (see /api/v1/event-types/); empty: every type",
    )
    disabled_reason = NamedChoiceField(
        DisabledReason, help_text="Why it is off; empty while it is on"
    )
    previous_secret_expires_at = serializers.DateTimeField(
        allow_null=True, help_text="Until when the secret before the last rotation also signs"
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "event_types",
            "is_active",
            "disabled_reason",
            "disabled_at",
            "failing_since",
            "previous_secret_expires_at",
            "created",
            "updated",
        ]
        read_only_fields = fields


@extend_schema_serializer(examples=examples.ENDPOINT_CREATED)
class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        help_text="The signing secret (`whsec_…`): shown only in this answer"
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


@extend_schema_serializer(examples=examples.ENDPOINT_INPUT)
class WebhookEndpointInputSerializer(StrictInputMixin, serializers.Serializer):
    url = serializers.CharField(
        max_length=2000, help_text="Where events are POSTed (https in production)"
    )
    description = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    event_types = serializers.ListField(
        child=serializers.CharField(max_length=64),
        max_length=200,
        required=False,
        default=list,
        help_text="Event types to receive; empty or left out: every type",
    )
    is_active = serializers.BooleanField(
        required=False, help_text="Off: nothing is sent (changes only)"
    )


@extend_schema_serializer(examples=examples.SECRET_ROTATED)
class SecretRotatedSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text="The new signing secret: shown only in this answer")
    previous_secret_expires_at = serializers.DateTimeField(
        help_text="Until then messages are signed with the old secret too"
    )


@extend_schema_serializer(examples=examples.REPLAY_INPUT)
class ReplayInputSerializer(StrictInputMixin, serializers.Serializer):
    since = serializers.DateTimeField(
        help_text="ISO 8601; events recorded since then are sent again (30 days back at most)"
    )


@extend_schema_serializer(examples=examples.REPLAY_RESULT)
class ReplayResultSerializer(serializers.Serializer):
    queued = serializers.IntegerField(help_text="Deliveries queued to be sent")


@extend_schema_serializer(examples=examples.DELIVERY)
class WebhookDeliverySerializer(serializers.ModelSerializer):
    status = NamedChoiceField(DeliveryStatus)
    payload = serializers.JSONField(help_text="The body sent: type, timestamp and data")

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "event",
            "message_id",
            "event_type",
            "status",
            "attempts",
            "next_attempt_at",
            "last_attempt_at",
            "response_status",
            "duration_ms",
            "payload",
            "created",
            "updated",
        ]
        read_only_fields = fields


class WebhookAttemptSerializer(serializers.ModelSerializer):
    request_headers = serializers.DictField(child=serializers.CharField())

    class Meta:
        model = WebhookAttempt
        fields = [
            "number",
            "attempted_at",
            "url",
            "request_headers",
            "response_status",
            "response_body",
            "duration_ms",
            "error",
        ]
        read_only_fields = fields


@extend_schema_serializer(examples=examples.DELIVERY_DETAIL)
class WebhookDeliveryDetailSerializer(WebhookDeliverySerializer):
    log = serializers.SerializerMethodField(help_text="The latest attempts, newest first")

    class Meta(WebhookDeliverySerializer.Meta):
        fields = [*WebhookDeliverySerializer.Meta.fields, "log"]
        read_only_fields = fields

    @extend_schema_field(WebhookAttemptSerializer(many=True))
    def get_log(self, delivery) -> list[dict]:
        return WebhookAttemptSerializer(selectors.webhook_attempts_for(delivery), many=True).data


class DeliveryListParamsSerializer(serializers.Serializer):
    status = NamedChoiceField(DeliveryStatus, required=False)
    event_type = serializers.CharField(required=False, max_length=64)
    updated_since = serializers.DateTimeField(
        required=False, help_text="ISO 8601; deliveries changed at or after this time"
    )


class EndpointListParamsSerializer(serializers.Serializer):
    updated_since = serializers.DateTimeField(
        required=False, help_text="ISO 8601; endpoints changed at or after this time"
    )


class ManagersOnly:
    read_role = Role.MANAGER
    write_role = Role.MANAGER


class WebhookEndpointViewSet(
    ManagersOnly, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet
):
    """Webhook endpoints: where the business's events are POSTed, signed (Standard Webhooks)."""

    serializer_class = WebhookEndpointSerializer
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        endpoints = WebhookEndpoint.objects.order_by("pk")
        if getattr(self, "swagger_fake_view", False) or self.action != "list":
            return endpoints
        params = query_params(EndpointListParamsSerializer, self.request)
        if "updated_since" in params:
            endpoints = endpoints.filter(updated__gte=params["updated_since"])
        return endpoints

    def get_object(self):
        return selectors.webhook_endpoint_get(int(self.kwargs["pk"]))

    @extend_schema(parameters=[EndpointListParamsSerializer])
    def list(self, request, *args, **kwargs):
        """The endpoints, oldest first."""
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=WebhookEndpointInputSerializer, responses={201: WebhookEndpointCreatedSerializer}
    )
    def create(self, request):
        """Subscribe an address to the business's events. The answer holds its signing secret,
        which is never shown again (rotate it to get a new one)."""
        data = WebhookEndpointInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        active = values.pop("is_active", True)
        endpoint, secret = services.webhook_endpoint_create(
            created_by=request_actor(request), **values
        )
        if not active:
            endpoint = services.webhook_endpoint_disable(endpoint=endpoint)
        body = {**WebhookEndpointSerializer(endpoint).data, "secret": secret}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=WebhookEndpointInputSerializer,
        responses=WebhookEndpointSerializer,
        examples=examples.ENDPOINT_CHANGE,
    )
    def partial_update(self, request, pk=None):
        """Change only the fields sent; turning an endpoint on sends what waited."""
        endpoint = self.get_object()
        data = WebhookEndpointInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        endpoint = services.webhook_endpoint_update(
            endpoint=endpoint,
            url=values.get("url"),
            description=values.get("description"),
            event_types=values.get("event_types"),
            is_active=values.get("is_active"),
        )
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(responses={204: OpenApiResponse(description="Removed, with its log.")})
    def destroy(self, request, pk=None):
        """Remove the endpoint, its deliveries and their log."""
        services.webhook_endpoint_delete(endpoint=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=SecretRotatedSerializer)
    def rotate_secret(self, request, pk=None):
        """A new signing secret (shown only in this answer). The old one keeps signing beside
        it for 24 hours: each message carries both signatures until then."""
        endpoint, secret = services.webhook_endpoint_rotate_secret(endpoint=self.get_object())
        body = {
            "secret": secret,
            "previous_secret_expires_at": endpoint.previous_secret_expires_at,
        }
        return Response(SecretRotatedSerializer(body).data)

    @extend_schema(request=ReplayInputSerializer, responses={202: ReplayResultSerializer})
    def replay(self, request, pk=None):
        """Send again every event of the endpoint's types recorded since a time (30 days back
        at most), including the ones it missed while it was off."""
        endpoint = self.get_object()
        data = ReplayInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        queued = services.webhook_endpoint_replay(endpoint=endpoint, **data.validated_data)
        return Response({"queued": queued}, status=status.HTTP_202_ACCEPTED)


class WebhookDeliveryViewSet(
    ManagersOnly, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet
):
    """An endpoint's deliveries, newest first: what was sent, how it was answered."""

    serializer_class = WebhookDeliverySerializer
    lookup_value_regex = ID_REGEX

    def endpoint(self) -> WebhookEndpoint:
        return selectors.webhook_endpoint_get(int(self.kwargs["endpoint_pk"]))

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WebhookDelivery.objects.none()
        params = query_params(DeliveryListParamsSerializer, self.request)
        return selectors.webhook_delivery_list(endpoint=self.endpoint(), **params)

    def get_object(self):
        return selectors.webhook_delivery_get(endpoint=self.endpoint(), pk=int(self.kwargs["pk"]))

    @extend_schema(parameters=[DeliveryListParamsSerializer])
    def list(self, request, *args, **kwargs):
        """The endpoint's deliveries, newest first; the filters combine."""
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=WebhookDeliveryDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        """One delivery with the log of its latest attempts (headers sent, answer's code and
        the start of its body, time taken)."""
        return Response(WebhookDeliveryDetailSerializer(self.get_object()).data)

    @extend_schema(
        request=None,
        responses={202: WebhookDeliverySerializer},
        examples=examples.DELIVERY_REPLAYED,
    )
    def replay(self, request, endpoint_pk=None, pk=None):
        """Send this delivery again now, with the same `webhook-id`."""
        delivery = services.webhook_delivery_replay(delivery=self.get_object())
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


def register(router, api_urlpatterns: list) -> None:
    endpoints = WebhookEndpointViewSet
    deliveries = WebhookDeliveryViewSet
    api_urlpatterns += [
        path(
            "webhooks/",
            endpoints.as_view({"get": "list", "post": "create"}),
            name="webhook-endpoint-list",
        ),
        path(
            "webhooks/<int:pk>/",
            endpoints.as_view({"get": "retrieve", "patch": "partial_update", "delete": "destroy"}),
            name="webhook-endpoint-detail",
        ),
        path(
            "webhooks/<int:pk>/rotate-secret/",
            endpoints.as_view({"post": "rotate_secret"}),
            name="webhook-endpoint-rotate-secret",
        ),
        path(
            "webhooks/<int:pk>/replay/",
            endpoints.as_view({"post": "replay"}),
            name="webhook-endpoint-replay",
        ),
        path(
            "webhooks/<int:endpoint_pk>/deliveries/",
            deliveries.as_view({"get": "list"}),
            name="webhook-delivery-list",
        ),
        path(
            "webhooks/<int:endpoint_pk>/deliveries/<int:pk>/",
            deliveries.as_view({"get": "retrieve"}),
            name="webhook-delivery-detail",
        ),
        path(
            "webhooks/<int:endpoint_pk>/deliveries/<int:pk>/replay/",
            deliveries.as_view({"post": "replay"}),
            name="webhook-delivery-replay",
        ),
    ]
