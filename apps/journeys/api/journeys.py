"""API: journeys (list, read, activate, pause, resume), their enrollments (enter a contact,
exit, list) and the offer catalogue."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.accounts.choices import Role
from apps.contacts.selectors import contact_find
from cxsuite.lib.api import TenantGenericViewSet
from cxsuite.lib.api_fields import (
    ID_REGEX,
    NamedChoiceField,
    StrictInputMixin,
    id_field,
    query_params,
)

from ..models import Enrollment, EnrollmentStatus, Journey, JourneyStatus, Offer
from ..selectors import enrollment_list, journey_list, offer_list
from ..services import (
    enrollment_exit,
    enrollment_start,
    journey_activate,
    journey_pause,
    journey_resume,
    offer_save,
)
from . import examples


@extend_schema_serializer(examples=examples.JOURNEY)
class JourneySerializer(serializers.ModelSerializer):
    status = NamedChoiceField(JourneyStatus, read_only=True)
    version = serializers.SerializerMethodField(
        help_text="The live version's number (null in draft)"
    )
    steps = serializers.SerializerMethodField(help_text="The live version's steps")

    class Meta:
        model = Journey
        fields = [
            "id",
            "name",
            "description",
            "status",
            "trigger",
            "entry_rule",
            "reentry_days",
            "goal",
            "exit_events",
            "holdout_percent",
            "hourly_cap",
            "version",
            "steps",
            "activated_at",
            "created",
        ]
        read_only_fields = fields

    def get_version(self, journey: Journey) -> int | None:
        return journey.live_version.number if journey.live_version else None

    def get_steps(self, journey: Journey) -> list[dict]:
        return list(journey.live_version.steps) if journey.live_version else []


@extend_schema_serializer(examples=examples.ACTIVATE_INPUT)
class JourneyActivateInputSerializer(StrictInputMixin, serializers.Serializer):
    include_current = serializers.BooleanField(
        default=False, help_text="Whether the segment's current members enter too"
    )


class JourneyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """Journeys: what starts them, their live steps, their state."""

    serializer_class = JourneySerializer
    lookup_value_regex = ID_REGEX
    write_role = Role.MANAGER

    def get_queryset(self):
        return journey_list()

    @extend_schema(request=JourneyActivateInputSerializer, responses={200: JourneySerializer})
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        """Make the draft version live (checked first); those inside the old one finish on it."""
        data = JourneyActivateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        journey = journey_activate(journey=self.get_object(), **data.validated_data)
        return Response(JourneySerializer(journey_list().get(pk=journey.pk)).data)

    @extend_schema(request=None, responses={200: JourneySerializer})
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        """Hold everyone where they are; nobody is skipped or exited."""
        journey = journey_pause(journey=self.get_object())
        return Response(JourneySerializer(journey_list().get(pk=journey.pk)).data)

    @extend_schema(request=None, responses={200: JourneySerializer})
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        """Go on from where everyone was held."""
        journey = journey_resume(journey=self.get_object())
        return Response(JourneySerializer(journey_list().get(pk=journey.pk)).data)


@extend_schema_serializer(examples=examples.ENROLLMENT)
class EnrollmentSerializer(serializers.ModelSerializer):
    status = NamedChoiceField(EnrollmentStatus, read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)
    next_at = serializers.DateTimeField(allow_null=True, read_only=True)
    finished_at = serializers.DateTimeField(allow_null=True, read_only=True)

    class Meta:
        model = Enrollment
        fields = [
            "id",
            "journey",
            "version",
            "contact",
            "entry_key",
            "status",
            "current_step",
            "next_at",
            "waiting_for",
            "trigger_properties",
            "entered_at",
            "finished_at",
            "exit_reason",
        ]
        read_only_fields = fields


@extend_schema_serializer(examples=examples.ENROLLMENT_INPUT)
class EnrollmentInputSerializer(StrictInputMixin, serializers.Serializer):
    journey = id_field(help_text="Id of an active journey")
    contact = id_field(help_text="Id of the contact who enters")
    properties = serializers.DictField(
        required=False, default=dict, help_text="What later steps may use (invoice_id, amount, ...)"
    )

    def validate_journey(self, value: int) -> Journey:
        journey = Journey.objects.filter(pk=value).first()
        if journey is None:
            raise serializers.ValidationError(_("There is no journey with this id."))
        return journey

    def validate_contact(self, value: int):
        contact = contact_find(pk=value)
        if contact is None:
            raise serializers.ValidationError(_("There is no contact with this id."))
        return contact


@extend_schema_serializer(examples=examples.EXIT_INPUT)
class EnrollmentExitInputSerializer(StrictInputMixin, serializers.Serializer):
    reason = serializers.CharField(required=False, default="staff", max_length=120)


class EnrollmentListParamsSerializer(serializers.Serializer):
    journey = id_field(required=False)
    contact = id_field(required=False)
    status = NamedChoiceField(EnrollmentStatus, required=False)


class EnrollmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """Contacts inside journeys, one per journey, contact and key (an invoice, an order)."""

    serializer_class = EnrollmentSerializer
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        enrollments = enrollment_list()
        if getattr(self, "swagger_fake_view", False) or self.action != "list":
            return enrollments
        params = query_params(EnrollmentListParamsSerializer, self.request)
        for name in ("journey", "contact"):
            if name in params:
                enrollments = enrollments.filter(**{f"{name}_id": params[name]})
        if "status" in params:
            enrollments = enrollments.filter(status=params["status"])
        return enrollments

    @extend_schema(parameters=[EnrollmentListParamsSerializer])
    def list(self, request, *args, **kwargs):
        """Enrollments, newest first; the filters combine."""
        return super().list(request, *args, **kwargs)

    @extend_schema(request=EnrollmentInputSerializer, responses={201: EnrollmentSerializer})
    def create(self, request):
        """Enter a contact into an active journey, under its entry rules."""
        data = EnrollmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        enrollment = enrollment_start(**data.validated_data)
        return Response(EnrollmentSerializer(enrollment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EnrollmentExitInputSerializer, responses={200: EnrollmentSerializer})
    @action(detail=True, methods=["post"])
    def exit(self, request, pk=None):
        """Take the contact out of the journey (nothing more is sent)."""
        data = EnrollmentExitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        enrollment = enrollment_exit(enrollment=self.get_object(), **data.validated_data)
        return Response(EnrollmentSerializer(enrollment).data)


@extend_schema_serializer(examples=examples.OFFER)
class OfferSerializer(serializers.ModelSerializer):
    made = serializers.IntegerField(
        source="made_count", read_only=True, help_text="How often it was offered"
    )
    accepted = serializers.IntegerField(
        source="accepted_count", read_only=True, help_text="How often it was accepted"
    )
    valid_from = serializers.DateField(allow_null=True, read_only=True)
    valid_until = serializers.DateField(allow_null=True, read_only=True)

    class Meta:
        model = Offer
        fields = [
            "id",
            "name",
            "text",
            "rules",
            "segment",
            "priority",
            "valid_from",
            "valid_until",
            "accepted_event",
            "reward",
            "active",
            "made",
            "accepted",
        ]
        read_only_fields = fields


@extend_schema_serializer(examples=examples.OFFER_INPUT)
class OfferInputSerializer(StrictInputMixin, serializers.Serializer):
    name = serializers.CharField(max_length=120)
    text = serializers.CharField(max_length=2000)
    rules = serializers.DictField(required=False, default=dict)
    segment = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=2**31 - 1,
        help_text="Only the members of this segment are eligible (and who match `rules`).",
    )
    priority = serializers.IntegerField(min_value=0, max_value=100, default=0)
    valid_from = serializers.DateField(required=False, allow_null=True, default=None)
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)
    accepted_event = serializers.CharField(max_length=64)
    reward = serializers.JSONField(
        required=False,
        default=dict,
        help_text='Given once when the offer is accepted: {"type": "points", "points": 200}, '
        '{"type": "voucher", "reward": <loyalty reward id>}, or {"type": "voucher", "kind": '
        '"amount_off" or "percent_off", "value": 10, "valid_days": 90}; {} for none.',
    )
    active = serializers.BooleanField(default=True)


class OfferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """The offer catalogue the offer step picks from."""

    serializer_class = OfferSerializer
    lookup_value_regex = ID_REGEX
    write_role = Role.MANAGER

    def get_queryset(self):
        return offer_list().order_by("-priority", "name", "pk")

    @extend_schema(request=OfferInputSerializer, responses={201: OfferSerializer})
    def create(self, request):
        """Add an offer (its eligibility rules are segment rules)."""
        data = OfferInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        offer = offer_save(**data.validated_data)
        return Response(
            OfferSerializer(self.get_queryset().get(pk=offer.pk)).data,
            status=status.HTTP_201_CREATED,
        )


def register(router, api_urlpatterns: list) -> None:
    router.register("journeys", JourneyViewSet, basename="journey")
    router.register("journey-enrollments", EnrollmentViewSet, basename="journey-enrollment")
    router.register("offers", OfferViewSet, basename="offer")
