"""API: segments (list, read, create, change, delete), their members (cursor-paged contacts)
and count, the fields a rule may use, and the members of static lists. Rule errors name the
rule's path, e.g. `rules.1.value`."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from cxsuite.lib.api import TenantGenericViewSet
from cxsuite.lib.api_fields import ID_REGEX, NamedChoiceField, StrictInputMixin, request_actor
from cxsuite.lib.filters import UPDATED_SINCE, updated_since_apply

from .. import services
from ..models import Segment, SegmentKind
from ..selectors.segments import field_catalogue, segment_get, segment_list, segment_members
from . import examples
from .contacts import ContactSerializer

RULES_HELP = (
    'A group {"op": "and"|"or", "rules": [...]} of conditions {"field", "cmp", "value"} '
    '(events also take "event_type" and "days"; total spend takes "days") and nested groups. '
    "GET /api/v1/segments/fields/ lists every field with its comparisons."
)


@extend_schema_serializer(examples=examples.SEGMENT)
class SegmentSerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(SegmentKind, read_only=True)
    rules = serializers.JSONField(read_only=True, help_text=RULES_HELP)

    class Meta:
        model = Segment
        fields = ["id", "name", "description", "kind", "rules", "created", "updated"]
        read_only_fields = fields


@extend_schema_serializer(examples=examples.SEGMENT_INPUT)
class SegmentInputSerializer(StrictInputMixin, serializers.Serializer):
    """Only the fields sent are changed; the service checks the rule tree."""

    name = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)
    kind = NamedChoiceField(SegmentKind, required=False, help_text="Set on creation only.")
    rules = serializers.JSONField(required=False, help_text=RULES_HELP)


@extend_schema_serializer(examples=examples.SEGMENT_MEMBERS_INPUT)
class SegmentMembersInputSerializer(StrictInputMixin, serializers.Serializer):
    contact_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=10_000
    )


class SegmentComparisonSerializer(serializers.Serializer):
    cmp = serializers.CharField()
    label = serializers.CharField()
    value = serializers.CharField(
        help_text="The kind of value it takes: text, choice, date (YYYY-MM-DD), days, count, "
        "score (1-5), number, boolean; empty when it takes none."
    )


class SegmentChoiceSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()


@extend_schema_serializer(examples=examples.SEGMENT_FIELD)
class SegmentFieldSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The condition's `field`.")
    label = serializers.CharField()
    group = serializers.CharField()
    comparisons = SegmentComparisonSerializer(many=True)
    choices = SegmentChoiceSerializer(many=True)
    needs = serializers.ListField(
        child=serializers.CharField(), help_text='Further keys it takes ("event_type", "days").'
    )


def _field_data(spec) -> dict:
    needs = {"event": ["event_type", "days"], "spend": ["days"]}.get(spec.kind, [])
    return {
        "field": spec.key,
        "label": str(spec.label),
        "group": str(spec.group),
        "comparisons": [
            {"cmp": cmp, "label": str(spec.cmp_label(cmp)), "value": kind}
            for cmp, kind in spec.cmps.items()
        ],
        "choices": [{"value": value, "label": str(label)} for value, label in spec.choices],
        "needs": needs,
    }


@extend_schema_serializer(examples=examples.SEGMENT_COUNT)
class SegmentCountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


@extend_schema_serializer(examples=examples.SEGMENT_MEMBERS_RESULT)
class SegmentMembersResultSerializer(serializers.Serializer):
    changed = serializers.IntegerField(help_text="How many were added (or removed).")


class SegmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """Saved audiences: rule trees compiled to one query, or static lists."""

    serializer_class = SegmentSerializer
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Segment.objects.none()
        return segment_list()

    def get_object(self):
        return segment_get(int(self.kwargs["pk"]))

    @extend_schema(responses=SegmentFieldSerializer(many=True))
    @action(
        detail=False,
        methods=["get"],
        serializer_class=SegmentFieldSerializer,
        pagination_class=None,
    )
    def fields(self, request):
        """Every field a condition may use, with its comparisons and the value each takes: the
        contact's own, those other modules add (appointments: no-shows, last visit, next
        booking) and the business's custom fields."""
        catalogue = field_catalogue()
        return Response([_field_data(spec) for spec in catalogue.values()])

    @extend_schema(request=SegmentInputSerializer, responses={201: SegmentSerializer})
    def create(self, request):
        data = SegmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        segment = services.segment_create(actor=request_actor(request), **data.validated_data)
        return Response(SegmentSerializer(segment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=SegmentInputSerializer,
        responses=SegmentSerializer,
        examples=examples.SEGMENT_CHANGE,
    )
    def partial_update(self, request, pk=None):
        segment = self.get_object()
        data = SegmentInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "kind" in values and values.pop("kind") != segment.kind:
            raise serializers.ValidationError({"kind": ["The kind of a segment cannot change."]})
        segment = services.segment_update(segment=segment, **values)
        return Response(SegmentSerializer(segment).data)

    @extend_schema(responses={204: OpenApiResponse(description="Deleted; contacts stay.")})
    def destroy(self, request, pk=None):
        services.segment_delete(segment=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=ContactSerializer(many=True), parameters=[UPDATED_SINCE])
    @action(detail=True, methods=["get"], serializer_class=ContactSerializer)
    def members(self, request, pk=None):
        """The segment's contacts, cursor-paged (newest first)."""
        contacts = segment_members(segment=self.get_object()).select_related("rfm")
        contacts = updated_since_apply(request, contacts)
        page = self.paginate_queryset(contacts.defer("search"))
        return self.get_paginated_response(ContactSerializer(page, many=True).data)

    @extend_schema(responses=SegmentCountSerializer)
    @action(detail=True, methods=["get"], serializer_class=SegmentCountSerializer)
    def count(self, request, pk=None):
        """How many contacts the segment holds now (one COUNT query)."""
        return Response({"count": segment_members(segment=self.get_object()).count()})

    @extend_schema(request=SegmentMembersInputSerializer, responses=SegmentMembersResultSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path="members/add",
        serializer_class=SegmentMembersInputSerializer,
    )
    def members_add(self, request, pk=None):
        """Put contacts on a static list (unknown ids are ignored)."""
        data = SegmentMembersInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changed = services.segment_members_add(
            segment=self.get_object(), contact_ids=data.validated_data["contact_ids"]
        )
        return Response({"changed": changed})

    @extend_schema(request=SegmentMembersInputSerializer, responses=SegmentMembersResultSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path="members/remove",
        serializer_class=SegmentMembersInputSerializer,
    )
    def members_remove(self, request, pk=None):
        """Take contacts off a static list."""
        data = SegmentMembersInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changed = services.segment_members_remove(
            segment=self.get_object(), contact_ids=data.validated_data["contact_ids"]
        )
        return Response({"changed": changed})


def register(router, api_urlpatterns: list) -> None:
    """Add this module's viewsets to the router and any extra paths to api_urlpatterns."""
    router.register("segments", SegmentViewSet, basename="segment")
