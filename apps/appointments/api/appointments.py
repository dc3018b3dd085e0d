"""API: appointments (list, read, book) and what happens to one afterwards: reschedule, cancel
and status changes. Every write goes through a service; a lost race is a 409 that offers the
next free times."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.contacts.selectors import contact_find
from cxsuite.lib.api import TenantGenericViewSet
from cxsuite.lib.api_fields import (
    ID_REGEX,
    NamedChoiceField,
    StrictInputMixin,
    id_field,
    query_params,
    request_actor,
)
from cxsuite.lib.throttling import CursorPagination

from .. import services
from ..models import Appointment, AppointmentStatus, Service, Source, StaffMember
from ..selectors import local_day_bounds, practice_zone
from . import examples
from .common import AwareDateTimeField, DayField, SlotTakenErrorSerializer, SlotTakenMixin

if TYPE_CHECKING:
    from apps.contacts.models import Contact

SLOT_TAKEN = OpenApiResponse(
    SlotTakenErrorSerializer,
    description="Someone else just took the time: `error.next_slots` lists the next free ones.",
)


class AppointmentSourceField(NamedChoiceField):
    """Documented as AppointmentSourceEnum: "source" means other things elsewhere."""

    def __init__(self, **kwargs):
        super().__init__(Source, **kwargs)
        self.enum_name = "AppointmentSourceEnum"


@extend_schema_serializer(examples=examples.APPOINTMENT)
class AppointmentSerializer(serializers.ModelSerializer):
    status = NamedChoiceField(AppointmentStatus, read_only=True)
    source = AppointmentSourceField(read_only=True)
    awaiting_approval = serializers.BooleanField(
        read_only=True,
        help_text="Booked for a service whose bookings staff confirm, and not "
        "confirmed yet: no confirmation message or reminders go out until they do",
    )

    class Meta:
        model = Appointment
        fields = [
            "id",
            "contact",
            "service",
            "staff",
            "room",
            "starts_at",
            "ends_at",
            "status",
            "source",
            "awaiting_approval",
            "price",
            "notes",
            "reschedule_count",
            "confirmed_at",
            "checked_in_at",
            "completed_at",
            "cancelled_at",
            "cancel_reason",
            "created",
            "updated",
        ]
        read_only_fields = fields


# --- input -------------------------------------------------------------------------------------
class ContactDetailsSerializer(StrictInputMixin, serializers.Serializer):
    first_name = serializers.CharField(max_length=80)
    last_name = serializers.CharField(max_length=80)
    email = serializers.CharField(max_length=254)
    phone = serializers.CharField(max_length=40, help_text="Mobile number, e.g. +4915123456789")


def _service(value: int) -> Service:
    service = Service.objects.filter(pk=value).first()
    if service is None:
        raise serializers.ValidationError(_("There is no service with this id."))
    return service


def _staff(value: int | None) -> StaffMember | None:
    if value is None:
        return None
    staff = StaffMember.objects.filter(pk=value, active=True).first()
    if staff is None:
        raise serializers.ValidationError(_("There is no active staff member with this id."))
    return staff


def _staff_performs(staff: StaffMember | None, service: Service) -> None:
    if staff is not None and not service.staff.filter(pk=staff.pk).exists():
        raise serializers.ValidationError(
            {
                "staff": _("%(staff)s does not perform %(service)s.")
                % {"staff": staff.name, "service": service.name}
            }
        )


@extend_schema_serializer(examples=examples.APPOINTMENT_INPUT)
class AppointmentInputSerializer(StrictInputMixin, serializers.Serializer):
    """Who: `contact` (an existing contact's id) or `contact_details` (matched by email, then
    phone, else created), never both."""

    service = id_field(help_text="Id of the service")
    starts_at = AwareDateTimeField(help_text="One of the free times of GET /availability/")
    staff = id_field(
        required=False,
        allow_null=True,
        default=None,
        help_text="Id of a staff member; leave out for anyone free (the least busy first)",
    )
    contact = id_field(required=False, help_text="Id of an existing contact")
    contact_details = ContactDetailsSerializer(
        required=False,
        help_text="The customer's name, email and mobile number, when you do "
        "not know their contact id: the contact with this email, else this phone, is used, "
        "else a new one is created",
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    notify = serializers.BooleanField(
        required=False,
        default=True,
        help_text="Send the customer the confirmation message (default true)",
    )

    def validate_service(self, value: int) -> Service:
        return _service(value)

    def validate_staff(self, value: int | None) -> StaffMember | None:
        return _staff(value)

    def validate_contact(self, value: int) -> Contact:
        contact = contact_find(pk=value)
        if contact is None:
            raise serializers.ValidationError(_("There is no contact with this id."))
        return contact

    def validate(self, data: dict) -> dict:
        if ("contact" in data) == ("contact_details" in data):
            raise serializers.ValidationError(
                {
                    "contact": _("Give either contact (an id) or contact_details, not both.")
                    if "contact" in data
                    else _("Give contact (an id) or contact_details.")
                }
            )
        _staff_performs(data["staff"], data["service"])
        return data


class AppointmentRescheduleInputSerializer(StrictInputMixin, serializers.Serializer):
    starts_at = AwareDateTimeField(help_text="One of the free times of GET /availability/")
    staff = id_field(
        required=False,
        allow_null=True,
        default=None,
        help_text="Id of another staff member; leave out to keep the same one",
    )

    def validate_staff(self, value: int | None) -> StaffMember | None:
        return _staff(value)


class AppointmentCancelInputSerializer(StrictInputMixin, serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    by_customer = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true: the customer asked (through your app); the practice's cancellation "
        "policy then applies",
    )


class AppointmentStatusInputSerializer(StrictInputMixin, serializers.Serializer):
    status = NamedChoiceField(
        AppointmentStatus,
        help_text="booked → confirmed → checked_in → completed, or no_show; completed and "
        "no_show only once the appointment has started",
    )


class AppointmentListParamsSerializer(serializers.Serializer):
    date_from = DayField(
        required=False, help_text="Starting on or after this day (the practice's time zone)"
    )
    date_to = DayField(required=False, help_text="Starting on or before this day")
    staff = id_field(required=False)
    service = id_field(required=False)
    contact = id_field(required=False)
    status = NamedChoiceField(AppointmentStatus, required=False)

    def validate(self, data: dict) -> dict:
        if "date_from" in data and "date_to" in data and data["date_to"] < data["date_from"]:
            raise serializers.ValidationError({"date_to": _("Choose a day on or after date_from.")})
        return data


# --- the viewset -------------------------------------------------------------------------------
class ByStartTime(CursorPagination):
    ordering = ("starts_at", "pk")


class AppointmentViewSet(
    SlotTakenMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet
):
    """Bookings. Create only at a free time (GET /availability/); send an Idempotency-Key so a
    retried request never books twice."""

    serializer_class = AppointmentSerializer
    pagination_class = ByStartTime
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        appointments = Appointment.objects.all()
        if getattr(self, "swagger_fake_view", False) or self.action != "list":
            return appointments
        params = query_params(AppointmentListParamsSerializer, self.request)
        zone = practice_zone() if {"date_from", "date_to"} & set(params) else None
        if "date_from" in params:
            appointments = appointments.filter(
                starts_at__gte=local_day_bounds(params["date_from"], zone)[0]
            )
        if "date_to" in params:
            appointments = appointments.filter(
                starts_at__lt=local_day_bounds(params["date_to"], zone)[1]
            )
        for name in ("staff", "service", "contact"):
            if name in params:
                appointments = appointments.filter(**{f"{name}_id": params[name]})
        if "status" in params:
            appointments = appointments.filter(status=params["status"])
        return appointments

    @extend_schema(parameters=[AppointmentListParamsSerializer])
    def list(self, request, *args, **kwargs):
        """Appointments by start time; the filters combine."""
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=AppointmentInputSerializer,
        responses={201: AppointmentSerializer, 409: SLOT_TAKEN},
    )
    def create(self, request):
        """Book a service at a free time (source "api"); the customer gets the confirmation
        and the reminders, unless the service's bookings need staff approval first."""
        data = AppointmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        details = values.pop("contact_details", None)
        try:
            appointment = services.appointment_book_for_customer(
                customer=services.CustomerDetails(**details) if details else None,
                source=Source.API,
                actor=request_actor(request),
                **values,
            )
        except ValidationError as exc:  # the customer's errors as the fields were sent
            raise services.customer_errors_renamed(exc, prefix="contact_details.") from None
        return Response(AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=AppointmentRescheduleInputSerializer,
        responses={200: AppointmentSerializer, 409: SLOT_TAKEN},
        examples=[*examples.RESCHEDULE, *examples.SLOT_TAKEN],
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        """Move a booked or confirmed appointment to another free time (and staff member);
        its reminders move with it."""
        appointment = self.get_object()
        data = AppointmentRescheduleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _staff_performs(data.validated_data["staff"], appointment.service)
        appointment = services.appointment_reschedule(
            appointment=appointment,
            source=Source.API,
            actor=request_actor(request),
            **data.validated_data,
        )
        return Response(AppointmentSerializer(appointment).data)

    @extend_schema(
        request=AppointmentCancelInputSerializer,
        responses=AppointmentSerializer,
        examples=examples.CANCEL,
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a booked or confirmed appointment; the time is free at once (cancelling twice
        changes nothing)."""
        appointment = self.get_object()
        data = AppointmentCancelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appointment = services.appointment_cancel(
            appointment=appointment, actor=request_actor(request), **data.validated_data
        )
        return Response(AppointmentSerializer(appointment).data)

    @extend_schema(
        request=AppointmentStatusInputSerializer,
        responses=AppointmentSerializer,
        examples=examples.STATUS,
    )
    @action(detail=True, methods=["post"], url_path="status")
    def status_set(self, request, pk=None):
        """Confirm, check in, complete or mark a no-show ("cancelled" cancels)."""
        appointment = self.get_object()
        data = AppointmentStatusInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appointment = services.appointment_status_set(
            appointment=appointment, actor=request_actor(request), **data.validated_data
        )
        return Response(AppointmentSerializer(appointment).data)


def register(router, api_urlpatterns: list) -> None:
    router.register("appointments", AppointmentViewSet, basename="appointment")
