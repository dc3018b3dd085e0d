"""API: the free start times of a service between two dates, for anyone or one staff member."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response

from cxsuite.lib.api import TenantAPIView
from cxsuite.lib.api_fields import id_field, query_params

from ..models import Service, StaffMember
from ..selectors import availability_for_service, practice_zone
from . import examples
from .common import DayField, SlotSerializer, slot_rows

MAX_DAYS = 62


class AvailabilityParamsSerializer(serializers.Serializer):
    service = id_field(help_text="Id of an active service")
    date_from = DayField(help_text="First day, in the practice's time zone")
    date_to = DayField(
        required=False,
        help_text=f"Last day, included (default: date_from); at most {MAX_DAYS} days in all",
    )
    staff = id_field(
        required=False,
        help_text="Id of a staff member who performs the service; leave out for anyone",
    )

    def validate_service(self, value: int) -> Service:
        service = Service.objects.filter(pk=value, active=True).first()
        if service is None:
            raise serializers.ValidationError(_("There is no active service with this id."))
        return service

    def validate_staff(self, value: int) -> StaffMember:
        staff = StaffMember.objects.filter(pk=value, active=True).first()
        if staff is None:
            raise serializers.ValidationError(_("There is no active staff member with this id."))
        return staff

    def validate(self, data: dict) -> dict:
        data.setdefault("date_to", data["date_from"])
        if data["date_to"] < data["date_from"]:
            raise serializers.ValidationError({"date_to": _("Choose a day on or after date_from.")})
        if (data["date_to"] - data["date_from"]).days >= MAX_DAYS:
            raise serializers.ValidationError(
                {"date_to": _("Ask for at most %(n)s days at a time.") % {"n": MAX_DAYS}}
            )
        staff = data.get("staff")
        if staff is not None and not data["service"].staff.filter(pk=staff.pk).exists():
            raise serializers.ValidationError(
                {
                    "staff": _("%(staff)s does not perform %(service)s.")
                    % {"staff": staff.name, "service": data["service"].name}
                }
            )
        return data


@extend_schema_serializer(examples=examples.AVAILABILITY)
class AvailabilitySerializer(serializers.Serializer):
    service = serializers.IntegerField()
    staff = serializers.IntegerField(allow_null=True)
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    time_zone = serializers.CharField(help_text="The practice's time zone, e.g. Europe/Berlin")
    slots = SlotSerializer(many=True)


class AvailabilityView(TenantAPIView):
    """Free start times, honouring working hours, time off, bookings with their buffers, rooms,
    the minimum notice and the booking horizon. Any time listed can be booked through
    POST /appointments/ until someone else takes it."""

    @extend_schema(
        operation_id="availability_list",
        parameters=[AvailabilityParamsSerializer],
        responses=AvailabilitySerializer,
    )
    def get(self, request):
        params = query_params(AvailabilityParamsSerializer, request)
        zone = practice_zone()
        slots = availability_for_service(
            service=params["service"],
            date_from=params["date_from"],
            date_to=params["date_to"],
            staff=params.get("staff"),
        )
        staff = params.get("staff")
        return Response(
            {
                "service": params["service"].pk,
                "staff": staff.pk if staff else None,
                "date_from": params["date_from"].isoformat(),
                "date_to": params["date_to"].isoformat(),
                "time_zone": str(zone),
                "slots": slot_rows(slots, zone),
            }
        )


def register(router, api_urlpatterns: list) -> None:
    api_urlpatterns.append(path("availability/", AvailabilityView.as_view(), name="availability"))
