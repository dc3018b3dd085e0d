"""API: what can be booked and with whom (read only; the practice sets these up in the app)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import mixins, serializers

from cxsuite.lib.api import TenantGenericViewSet
from cxsuite.lib.api_fields import ID_REGEX, query_params
from cxsuite.lib.throttling import CursorPagination

from ..models import Room, Service, StaffMember
from . import examples


class InPositionOrder(CursorPagination):
    """The order the practice gave them, as on the booking page."""

    ordering = ("position", "pk")


class ActiveParamsSerializer(serializers.Serializer):
    active = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true: only active ones, false: only inactive ones; leave out for all",
    )


def _active(queryset, request):
    active = query_params(ActiveParamsSerializer, request)["active"]
    return queryset if active is None else queryset.filter(active=active)


# --- services ----------------------------------------------------------------------------------
@extend_schema_serializer(examples=examples.SERVICE)
class ServiceSerializer(serializers.ModelSerializer):
    staff = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Ids of the staff members who perform it"
    )
    rooms = serializers.PrimaryKeyRelatedField(
        many=True,
        read_only=True,
        help_text="Ids of the rooms it may use (empty: any active room, when it needs one)",
    )

    class Meta:
        model = Service
        fields = [
            "id",
            "name",
            "description",
            "duration_minutes",
            "price",
            "buffer_before_minutes",
            "buffer_after_minutes",
            "step_minutes",
            "daily_cap",
            "needs_confirmation",
            "min_notice_minutes",
            "horizon_days",
            "online",
            "needs_room",
            "staff",
            "rooms",
            "recall_months",
            "color",
            "active",
            "position",
        ]
        read_only_fields = fields


class ServiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """The practice's services: duration, price, buffers, booking rules, who performs them."""

    serializer_class = ServiceSerializer
    pagination_class = InPositionOrder
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        services = Service.objects.prefetch_related("staff", "rooms")
        if getattr(self, "swagger_fake_view", False) or self.action != "list":
            return services
        return _active(services, self.request)

    @extend_schema(parameters=[ActiveParamsSerializer])
    def list(self, request, *args, **kwargs):
        """Services in the practice's order."""
        return super().list(request, *args, **kwargs)


# --- staff -------------------------------------------------------------------------------------
@extend_schema_serializer(examples=examples.STAFF_MEMBER)
class StaffMemberSerializer(serializers.ModelSerializer):
    services = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Ids of the services they perform"
    )

    class Meta:
        model = StaffMember
        fields = [
            "id",
            "name",
            "title",
            "color",
            "active",
            "bookable_online",
            "position",
            "services",
        ]
        read_only_fields = fields


class StaffMemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """The people customers book (their calendar feed address stays private)."""

    serializer_class = StaffMemberSerializer
    pagination_class = InPositionOrder
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        staff = StaffMember.objects.prefetch_related("services")
        if getattr(self, "swagger_fake_view", False) or self.action != "list":
            return staff
        return _active(staff, self.request)

    @extend_schema(parameters=[ActiveParamsSerializer])
    def list(self, request, *args, **kwargs):
        """Staff members in the practice's order."""
        return super().list(request, *args, **kwargs)


# --- rooms -------------------------------------------------------------------------------------
@extend_schema_serializer(examples=examples.ROOM)
class RoomSerializer(serializers.ModelSerializer):
    class Meta:
        model = Room
        fields = ["id", "name", "active", "position"]
        read_only_fields = fields


class RoomViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """Rooms and chairs that a booking of a service needing one takes."""

    serializer_class = RoomSerializer
    pagination_class = InPositionOrder
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        rooms = Room.objects.all()
        if getattr(self, "swagger_fake_view", False) or self.action != "list":
            return rooms
        return _active(rooms, self.request)

    @extend_schema(parameters=[ActiveParamsSerializer])
    def list(self, request, *args, **kwargs):
        """Rooms in the practice's order."""
        return super().list(request, *args, **kwargs)


def register(router, api_urlpatterns: list) -> None:
    router.register("services", ServiceViewSet, basename="service")
    router.register("staff", StaffMemberViewSet, basename="staff-member")
    router.register("rooms", RoomViewSet, basename="room")
