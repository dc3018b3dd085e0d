"""API: campaigns (list, read, create), their schedule, pause, resume and cancel, and their
report figures. Every write goes through the campaign services."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.accounts.choices import Role
from apps.contacts.selectors.segments import segment_list
from cxsuite.lib.api import TenantGenericViewSet
from cxsuite.lib.api_fields import ID_REGEX, NamedChoiceField, StrictInputMixin, request_actor

from .. import selectors, services
from ..choices import CampaignChannel, CampaignStatus, PassedHourRule, ScheduleKind, WinnerMetric
from ..models import Campaign, Topic
from . import examples

BLOCKS_HELP = (
    'A list of blocks {"type": heading|text|image|button|divider|footer, "text", "url", '
    '"src", "alt"}; an image\'s src is a path under /media/ (uploaded to the business).'
)


class VariantSerializer(serializers.Serializer):
    label = serializers.CharField(read_only=True)
    subject = serializers.CharField(max_length=200, required=False, allow_blank=True)
    sender_name = serializers.CharField(max_length=80, required=False, allow_blank=True)
    blocks = serializers.JSONField(required=False, help_text=BLOCKS_HELP)
    sms_text = serializers.CharField(max_length=1600, required=False, allow_blank=True)


@extend_schema_serializer(examples=examples.CAMPAIGN)
class CampaignSerializer(serializers.ModelSerializer):
    channel = NamedChoiceField(CampaignChannel, read_only=True)
    status = NamedChoiceField(CampaignStatus, read_only=True)
    schedule = NamedChoiceField(ScheduleKind, read_only=True)
    passed_hour = NamedChoiceField(PassedHourRule, read_only=True)
    winner_metric = NamedChoiceField(WinnerMetric, read_only=True)
    topic = serializers.SerializerMethodField()
    segment_ids = serializers.SerializerMethodField()
    excluded_segment_ids = serializers.SerializerMethodField()
    variants = VariantSerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "channel",
            "status",
            "topic",
            "segment_ids",
            "excluded_segment_ids",
            "schedule",
            "send_at",
            "local_time",
            "passed_hour",
            "throttle_per_minute",
            "send_by",
            "ab_share",
            "winner_metric",
            "winner_wait_hours",
            "conversion_days",
            "pause_reason",
            "variants",
            "created",
        ]
        read_only_fields = fields

    def get_topic(self, campaign: Campaign) -> str:
        return campaign.topic.key if campaign.topic else ""

    def get_segment_ids(self, campaign: Campaign) -> list[int]:
        return [s.pk for s in campaign.segments.all()]

    def get_excluded_segment_ids(self, campaign: Campaign) -> list[int]:
        return [s.pk for s in campaign.excluded_segments.all()]


@extend_schema_serializer(examples=examples.CAMPAIGN_INPUT)
class CampaignInputSerializer(StrictInputMixin, serializers.Serializer):
    name = serializers.CharField(max_length=120)
    channel = NamedChoiceField(CampaignChannel, required=False)
    segment_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        min_length=1,
        max_length=50,
    )
    excluded_segment_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        required=False,
        max_length=50,
    )
    topic = serializers.CharField(max_length=40, required=False, allow_blank=True)
    throttle_per_minute = serializers.IntegerField(min_value=0, max_value=100_000, required=False)
    send_by = serializers.DateTimeField(required=False, allow_null=True)
    ab_share = serializers.IntegerField(min_value=0, max_value=100, required=False)
    winner_metric = NamedChoiceField(WinnerMetric, required=False)
    winner_wait_hours = serializers.IntegerField(min_value=1, max_value=168, required=False)
    conversion_days = serializers.IntegerField(min_value=1, max_value=90, required=False)
    variants = VariantSerializer(many=True, required=False, max_length=4)


@extend_schema_serializer(examples=examples.SCHEDULE_INPUT)
class ScheduleInputSerializer(StrictInputMixin, serializers.Serializer):
    schedule = NamedChoiceField(ScheduleKind)
    send_at = serializers.DateTimeField(required=False, allow_null=True)
    local_time = serializers.TimeField(required=False, allow_null=True)
    passed_hour = NamedChoiceField(PassedHourRule, required=False)
    send_by = serializers.DateTimeField(required=False, allow_null=True)


class ProgressSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    settled = serializers.IntegerField()
    sent = serializers.IntegerField()
    skipped = serializers.IntegerField()
    waiting = serializers.IntegerField()


class LinkClicksSerializer(serializers.Serializer):
    url = serializers.CharField()
    clicks = serializers.IntegerField()
    people = serializers.IntegerField()


@extend_schema_serializer(examples=examples.REPORT)
class ReportSerializer(serializers.Serializer):
    progress = ProgressSerializer()
    figures = serializers.DictField(
        child=serializers.IntegerField(),
        help_text=(
            "Counts of contacts: sent, delivered, bounced, opened (people), machine_opened "
            "(opened by machines only), clicked, replied, unsubscribed, complained, converted, "
            "and cap_held: those the weekly marketing cap holds back for now; each waits until "
            "the cap lets them have it, if that comes before the send-by deadline, else is not "
            'sent and counted under not_sent as "capped".'
        ),
    )
    not_sent = serializers.DictField(
        child=serializers.IntegerField(), help_text="Contacts not sent to, by reason."
    )
    links = LinkClicksSerializer(many=True)
    by_variant_and_channel = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField()),
        help_text='Figures per "variant:channel".',
    )


class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """Newsletters and offers to segments and lists."""

    serializer_class = CampaignSerializer
    lookup_value_regex = ID_REGEX
    read_role = Role.VIEWER
    write_role = Role.MANAGER

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Campaign.objects.none()
        return (
            selectors.campaign_list()
            .select_related("topic")
            .prefetch_related("segments", "excluded_segments", "variants")
        )

    def get_object(self):
        campaign = self.get_queryset().filter(pk=int(self.kwargs["pk"])).first()
        if campaign is None:
            from django.http import Http404

            raise Http404
        return campaign

    @staticmethod
    def _segments(ids: list[int], field: str):
        found = {s.pk: s for s in segment_list().filter(pk__in=ids)}
        missing = [i for i in ids if i not in found]
        if missing:
            raise serializers.ValidationError({field: [f"No segment with id {missing[0]}."]})
        return [found[i] for i in dict.fromkeys(ids)]

    @extend_schema(request=CampaignInputSerializer, responses={201: CampaignSerializer})
    def create(self, request):
        data = CampaignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        topic = None
        if values.get("topic"):
            topic = Topic.objects.filter(key=values["topic"]).first()
            if topic is None:
                raise serializers.ValidationError({"topic": ["No topic with this key."]})
        values.pop("topic", None)
        campaign = services.campaign_create(
            segments=self._segments(values.pop("segment_ids"), "segment_ids"),
            excluded_segments=self._segments(
                values.pop("excluded_segment_ids", []), "excluded_segment_ids"
            ),
            variants=[dict(v) for v in values.pop("variants", [])],
            topic=topic,
            actor=request_actor(request),
            **values,
        )
        return Response(
            CampaignSerializer(self.get_queryset().get(pk=campaign.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    def _answer(self, campaign: Campaign) -> Response:
        return Response(CampaignSerializer(self.get_queryset().get(pk=campaign.pk)).data)

    @extend_schema(request=ScheduleInputSerializer, responses=CampaignSerializer)
    @action(detail=True, methods=["post"], serializer_class=ScheduleInputSerializer)
    def schedule(self, request, pk=None):
        """Send now, at a time, or at a local time in each contact's zone (a draft only)."""
        data = ScheduleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {k: v for k, v in data.validated_data.items() if v is not None}
        campaign = services.campaign_schedule(campaign=self.get_object(), **values)
        return self._answer(campaign)

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        """Stop taking new batches (what was handed over still goes)."""
        return self._answer(services.campaign_pause(campaign=self.get_object()))

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._answer(services.campaign_resume(campaign=self.get_object()))

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Nothing more goes out; the unsent rows are marked cancelled."""
        return self._answer(services.campaign_cancel(campaign=self.get_object()))

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"], url_path="retry-failed")
    def retry_failed(self, request, pk=None):
        """Send again to those whose message failed (once per failure; the suppression list
        still applies)."""
        campaign = self.get_object()
        services.campaign_retry_failed(campaign=campaign)
        return self._answer(campaign)

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"], url_path="send-rest")
    def send_rest(self, request, pk=None):
        """Send to those not reached (capped, no consent then, dropped at the deadline or
        cancelled), checked again; nobody gets two."""
        campaign = self.get_object()
        services.campaign_send_rest(campaign=campaign)
        return self._answer(campaign)

    @extend_schema(responses=ReportSerializer)
    @action(detail=True, methods=["get"], serializer_class=ReportSerializer, pagination_class=None)
    def report(self, request, pk=None):
        """Progress and figures (people's opens apart from machines'), per variant and channel,
        the reasons for those not sent to, and the links clicked."""
        campaign = self.get_object()
        progress = selectors.campaign_progress(campaign=campaign)
        by = selectors.campaign_report(campaign=campaign)
        total = by.pop("total")
        return Response(
            {
                "progress": {
                    "total": progress.total,
                    "settled": progress.settled,
                    "sent": progress.sent,
                    "skipped": progress.skipped,
                    "waiting": progress.waiting,
                },
                "figures": total,
                "not_sent": selectors.skip_reasons(campaign=campaign),
                "links": selectors.link_clicks(campaign=campaign),
                "by_variant_and_channel": by,
            }
        )


def register(router, api_urlpatterns: list) -> None:
    router.register("campaigns", CampaignViewSet, basename="campaign")
