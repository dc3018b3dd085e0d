"""API of feedback: surveys, invitations (ask a contact), responses (submit from a partner
app, list), cases (list, update, resolve) and the summary figures."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response as ApiResponse

from apps.accounts.choices import Role
from apps.contacts.selectors import contact_find
from cxsuite.lib.api import TenantAPIView, TenantGenericViewSet
from cxsuite.lib.api_fields import (
    ID_REGEX,
    NamedChoiceField,
    StrictInputMixin,
    id_field,
    query_params,
    request_actor,
)

from ..models import (
    Band,
    Case,
    CaseStatus,
    DropReason,
    GestureKind,
    Invitation,
    InvitationStatus,
    InviteChannel,
    Response,
    RootCause,
    Survey,
    SurveyKind,
    Trigger,
)
from ..selectors import cases_overdue_count
from ..selectors.figures import scores_for
from ..services.cases import case_resolve, case_update
from ..services.invitations import invitation_create
from ..services.responses import response_submit
from . import examples


@extend_schema_serializer(examples=examples.SURVEY)
class FeedbackSurveySerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(SurveyKind, read_only=True)
    trigger = NamedChoiceField(Trigger, read_only=True)
    channel = NamedChoiceField(InviteChannel, read_only=True)

    class Meta:
        model = Survey
        fields = [
            "id",
            "name",
            "kind",
            "trigger",
            "active",
            "delay_hours",
            "service_ids",
            "channel",
            "reminders",
            "expiry_days",
        ]
        read_only_fields = fields


class FeedbackSurveyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """The business's surveys."""

    serializer_class = FeedbackSurveySerializer
    lookup_value_regex = ID_REGEX
    queryset = Survey.objects.order_by("pk")


@extend_schema_serializer(examples=examples.INVITATION)
class FeedbackInvitationSerializer(serializers.ModelSerializer):
    status = NamedChoiceField(InvitationStatus, read_only=True)
    drop_reason = NamedChoiceField(DropReason, read_only=True, allow_blank=True)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "survey",
            "contact",
            "status",
            "drop_reason",
            "language",
            "channel",
            "send_at",
            "sent_at",
            "answered_at",
            "expires_at",
        ]
        read_only_fields = fields


@extend_schema_serializer(examples=examples.INVITATION_INPUT)
class FeedbackInvitationInputSerializer(StrictInputMixin, serializers.Serializer):
    survey = id_field(help_text="Id of the survey to send")
    contact = id_field(help_text="Id of the contact to ask")

    def validate_survey(self, value: int) -> Survey:
        survey = Survey.objects.filter(pk=value).first()
        if survey is None:
            raise serializers.ValidationError(_("There is no survey with this id."))
        return survey

    def validate_contact(self, value: int):
        contact = contact_find(pk=value)
        if contact is None:
            raise serializers.ValidationError(_("There is no contact with this id."))
        return contact


class FeedbackInvitationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet
):
    """Survey invitations; create one to ask a contact now (limits apply: a throttled one
    comes back as `dropped`, with its reason)."""

    serializer_class = FeedbackInvitationSerializer
    lookup_value_regex = ID_REGEX
    queryset = Invitation.objects.order_by("-pk")

    @extend_schema(
        request=FeedbackInvitationInputSerializer, responses={201: FeedbackInvitationSerializer}
    )
    def create(self, request):
        """Ask a contact to answer a survey now."""
        data = FeedbackInvitationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = invitation_create(**data.validated_data)
        return ApiResponse(
            FeedbackInvitationSerializer(invitation).data, status=status.HTTP_201_CREATED
        )


@extend_schema_serializer(examples=examples.RESPONSE)
class FeedbackResponseSerializer(serializers.ModelSerializer):
    band = NamedChoiceField(Band, read_only=True, allow_blank=True)
    kind = NamedChoiceField(SurveyKind, read_only=True)
    score = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Response
        fields = [
            "id",
            "invitation",
            "survey",
            "contact",
            "kind",
            "score",
            "band",
            "comment",
            "answers",
            "channel",
            "created",
            "updated",
        ]
        read_only_fields = fields


@extend_schema_serializer(examples=examples.RESPONSE_INPUT)
class FeedbackResponseInputSerializer(StrictInputMixin, serializers.Serializer):
    invitation = id_field(help_text="Id of the invitation answered")
    score = serializers.IntegerField(min_value=0, max_value=10, help_text="On the survey's scale")
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000)

    def validate_invitation(self, value: int) -> Invitation:
        invitation = Invitation.objects.filter(pk=value).first()
        if invitation is None:
            raise serializers.ValidationError(_("There is no invitation with this id."))
        return invitation


class FeedbackResponseListParamsSerializer(serializers.Serializer):
    survey = id_field(required=False)
    band = NamedChoiceField(Band, required=False)


class FeedbackResponseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet
):
    """Answers, newest first. Submitting one for an invitation already answered changes it
    while it may still change (the same answer again is returned as it is)."""

    serializer_class = FeedbackResponseSerializer
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        rows = Response.objects.order_by("-created", "-pk")
        if getattr(self, "swagger_fake_view", False) or self.action != "list":
            return rows
        params = query_params(FeedbackResponseListParamsSerializer, self.request)
        if "survey" in params:
            rows = rows.filter(survey_id=params["survey"])
        if "band" in params:
            rows = rows.filter(band=params["band"])
        return rows

    @extend_schema(parameters=[FeedbackResponseListParamsSerializer])
    def list(self, request, *args, **kwargs):
        """Responses; the filters combine."""
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=FeedbackResponseInputSerializer, responses={201: FeedbackResponseSerializer}
    )
    def create(self, request):
        """Submit an answer from a partner app."""
        data = FeedbackResponseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        response = response_submit(invitation=values.pop("invitation"), channel="api", **values)
        return ApiResponse(
            FeedbackResponseSerializer(response).data, status=status.HTTP_201_CREATED
        )


@extend_schema_serializer(examples=examples.CASE)
class FeedbackCaseSerializer(serializers.ModelSerializer):
    status = NamedChoiceField(CaseStatus, read_only=True)
    gesture_kind = NamedChoiceField(GestureKind, read_only=True)
    owner = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    root_cause = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "response",
            "contact",
            "status",
            "owner",
            "opened_at",
            "due_at",
            "first_contact_at",
            "resolved_at",
            "escalated_at",
            "root_cause",
            "resolution",
            "gesture_kind",
            "gesture_points",
            "gesture_value",
        ]
        read_only_fields = fields


class CaseOpenStatus(models.TextChoices):
    """The statuses a case can be given by an update (resolving is its own action)."""

    OPEN = "open", "Open"
    CONTACTED = "contacted", "Contacted"


@extend_schema_serializer(examples=examples.CASE_UPDATE_INPUT)
class FeedbackCaseUpdateInputSerializer(StrictInputMixin, serializers.Serializer):
    status = NamedChoiceField(
        CaseOpenStatus,
        required=False,
        help_text="open or contacted (resolve a case with its resolve action)",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


@extend_schema_serializer(examples=examples.CASE_RESOLVE_INPUT)
class FeedbackCaseResolveInputSerializer(StrictInputMixin, serializers.Serializer):
    root_cause = id_field(help_text="Id of the root cause")
    resolution = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    gesture_kind = NamedChoiceField(GestureKind, required=False)
    gesture_points = serializers.IntegerField(required=False, min_value=1, max_value=100000)
    gesture_value = serializers.DecimalField(
        required=False, max_digits=10, decimal_places=2, min_value=0
    )
    remember = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def validate_root_cause(self, value: int) -> RootCause:
        cause = RootCause.objects.filter(pk=value).first()
        if cause is None:
            raise serializers.ValidationError(_("There is no root cause with this id."))
        return cause


class FeedbackCaseListParamsSerializer(serializers.Serializer):
    status = NamedChoiceField(CaseStatus, required=False)


class FeedbackCaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """Recovery cases, soonest due first."""

    serializer_class = FeedbackCaseSerializer
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        rows = Case.objects.order_by("due_at", "pk")
        if getattr(self, "swagger_fake_view", False) or self.action != "list":
            return rows
        params = query_params(FeedbackCaseListParamsSerializer, self.request)
        if "status" in params:
            rows = rows.filter(status=params["status"])
        return rows

    @extend_schema(parameters=[FeedbackCaseListParamsSerializer])
    def list(self, request, *args, **kwargs):
        """Cases; filter by status."""
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=FeedbackCaseUpdateInputSerializer, responses={200: FeedbackCaseSerializer}
    )
    def partial_update(self, request, pk=None):
        """Mark a case contacted (or open again) and add a note."""
        data = FeedbackCaseUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = case_update(
            case=self.get_object(), actor=request_actor(request), **data.validated_data
        )
        return ApiResponse(FeedbackCaseSerializer(case).data)

    @extend_schema(
        request=FeedbackCaseResolveInputSerializer, responses={200: FeedbackCaseSerializer}
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Resolve a case with its root cause; a gesture is written to the loyalty ledger
        once, and a "remember" note is shown at the customer's next visit."""
        data = FeedbackCaseResolveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = case_resolve(
            case=self.get_object(), actor=request_actor(request), **data.validated_data
        )
        return ApiResponse(FeedbackCaseSerializer(case).data)


@extend_schema_serializer(examples=examples.SUMMARY)
class FeedbackSummarySerializer(serializers.Serializer):
    nps = serializers.FloatField(allow_null=True)
    csat = serializers.FloatField(allow_null=True)
    effort = serializers.FloatField(allow_null=True)
    response_rate = serializers.FloatField(allow_null=True)
    answered = serializers.IntegerField()
    invited = serializers.IntegerField()
    dropped = serializers.IntegerField()
    cases_open = serializers.IntegerField()
    cases_overdue = serializers.IntegerField()


class FeedbackSummaryParamsSerializer(serializers.Serializer):
    days = serializers.IntegerField(required=False, min_value=1, max_value=730, default=180)


class FeedbackSummaryView(TenantAPIView):
    """The headline figures over the last days."""

    read_role = Role.VIEWER

    @extend_schema(
        parameters=[FeedbackSummaryParamsSerializer], responses={200: FeedbackSummarySerializer}
    )
    def get(self, request):
        params = query_params(FeedbackSummaryParamsSerializer, request)
        now = timezone.now()
        scores = scores_for(since=now - dt.timedelta(days=params.get("days", 180)), until=now)
        data = {
            "nps": scores.nps,
            "csat": scores.csat,
            "effort": scores.effort,
            "response_rate": scores.response_rate,
            "answered": scores.answered,
            "invited": scores.invited,
            "dropped": scores.dropped,
            "cases_open": Case.objects.filter(status__in=["open", "contacted"]).count(),
            "cases_overdue": cases_overdue_count(now=now),
        }
        return ApiResponse(FeedbackSummarySerializer(data).data)


def register(router, api_urlpatterns: list) -> None:
    from django.urls import path

    router.register("feedback/surveys", FeedbackSurveyViewSet, basename="feedback-survey")
    router.register(
        "feedback/invitations", FeedbackInvitationViewSet, basename="feedback-invitation"
    )
    router.register("feedback/responses", FeedbackResponseViewSet, basename="feedback-response")
    router.register("feedback/cases", FeedbackCaseViewSet, basename="feedback-case")
    api_urlpatterns.append(
        path("feedback/summary/", FeedbackSummaryView.as_view(), name="feedback-summary")
    )
