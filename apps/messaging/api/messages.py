"""API: the message log, and sending a purpose to a contact through the one send service."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from apps.contacts.choices import Channel
from apps.contacts.selectors import contact_find
from cxsuite.lib.api import TenantGenericViewSet
from cxsuite.lib.api_fields import (
    ID_REGEX,
    NamedChoiceField,
    StrictInputMixin,
    id_field,
    query_params,
)
from cxsuite.lib.throttling import CursorPagination

from .. import selectors
from ..models import Category, Message, MessageStatus
from . import examples


@extend_schema_serializer(examples=examples.MESSAGE)
class MessageSerializer(serializers.ModelSerializer):
    channel = NamedChoiceField(Channel, read_only=True)
    status = NamedChoiceField(MessageStatus, read_only=True)
    category = NamedChoiceField(Category, read_only=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "contact",
            "purpose",
            "category",
            "channel",
            "language",
            "to",
            "subject",
            "body",
            "status",
            "reason",
            "dedupe_key",
            "provider",
            "provider_message_id",
            "related_type",
            "related_id",
            "scheduled_for",
            "sent_at",
            "delivered_at",
            "opened_at",
            "clicked_at",
            "replied_at",
            "attempts",
            "error",
            "created",
        ]
        read_only_fields = fields


@extend_schema_serializer(examples=examples.MESSAGE_INPUT)
class MessageInputSerializer(StrictInputMixin, serializers.Serializer):
    contact = id_field(help_text="Id of the contact")
    purpose = serializers.SlugField(max_length=60, help_text="e.g. appointment_reminder")
    channel = NamedChoiceField(
        Channel,
        required=False,
        allow_null=True,
        default=None,
        help_text="Leave out to let the best channel be chosen",
    )
    context = serializers.DictField(
        required=False, default=dict, help_text='Variables for the template, e.g. {"link": …}'
    )
    dedupe_key = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=150,
        help_text="The same key never sends twice",
    )

    def validate_purpose(self, value: str) -> str:
        from ..registries import purposes

        if value not in purposes:
            raise serializers.ValidationError(_("There is no purpose with this name."))
        return value


class MessageListParamsSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, allow_blank=True)
    status = serializers.ChoiceField(
        choices=MessageStatus.choices, required=False, allow_blank=True
    )
    contact = id_field(required=False, help_text="Id of a contact: only their messages")


class NewestMessagesFirst(CursorPagination):
    ordering = ("-created", "-pk")


class MessageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """Every message to a customer, newest first; POST sends one."""

    serializer_class = MessageSerializer
    pagination_class = NewestMessagesFirst
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Message.objects.none()
        params = query_params(MessageListParamsSerializer, self.request)
        return selectors.message_list(
            channel=params.get("channel", ""),
            status=params.get("status", ""),
            contact=params.get("contact"),
        )

    def get_object(self):
        return selectors.message_get(int(self.kwargs["pk"]))

    @extend_schema(parameters=[MessageListParamsSerializer])
    def list(self, request, *args, **kwargs):
        """Messages, newest first; filter by channel, status or contact."""
        return super().list(request, *args, **kwargs)

    @extend_schema(request=MessageInputSerializer, responses={201: MessageSerializer})
    def create(self, request):
        """Send a purpose to a contact: consent, quiet hours, caps and dedupe all apply; a
        message that is not sent comes back with its status and reason."""
        from ..services.sending import message_send

        data = MessageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        contact = contact_find(pk=values["contact"])
        if contact is None:
            raise ValidationError({"contact": _("There is no contact with this id.")})
        message = message_send(
            contact=contact,
            purpose=values["purpose"],
            channel=values["channel"],
            context=values["context"],
            dedupe_key=values["dedupe_key"],
        )
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)


def register(router, api_urlpatterns: list) -> None:
    """Add this module's viewsets to the router and any extra paths to api_urlpatterns."""
    router.register("messages", MessageViewSet, basename="message")
