"""API: referrals. List them and record one (a member's referral code and the contact they
brought); self-referral, a second referral of the same e-mail or phone and someone who is
already a customer are refused."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from apps.contacts.selectors import contact_find
from cxsuite.lib.api import TenantGenericViewSet
from cxsuite.lib.api_fields import (
    ID_REGEX,
    NamedChoiceField,
    StrictInputMixin,
    id_field,
    query_params,
)

from ..models import Referral, ReferralStatus
from . import examples
from .serializers import ReferralSerializer


@extend_schema_serializer(examples=examples.REFERRAL_INPUT)
class ReferralInputSerializer(StrictInputMixin, serializers.Serializer):
    code = serializers.CharField(max_length=16, help_text="The referring member's code")
    contact = id_field(help_text="Id of the contact who was referred")

    def validate_contact(self, value: int):
        contact = contact_find(pk=value)
        if contact is None:
            raise serializers.ValidationError(_("There is no contact with this id."))
        return contact


class ReferralListParamsSerializer(serializers.Serializer):
    referrer = id_field(required=False, help_text="Id of the referring member")
    status = NamedChoiceField(ReferralStatus, required=False)


class ReferralViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """Referrals: who brought whom, and whether it was rewarded."""

    serializer_class = ReferralSerializer
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        referrals = Referral.objects.order_by("-created", "-pk")
        if getattr(self, "swagger_fake_view", False) or self.action != "list":
            return referrals
        params = query_params(ReferralListParamsSerializer, self.request)
        if "referrer" in params:
            referrals = referrals.filter(referrer_id=params["referrer"])
        if "status" in params:
            referrals = referrals.filter(status=params["status"])
        return referrals

    @extend_schema(parameters=[ReferralListParamsSerializer])
    def list(self, request, *args, **kwargs):
        """Referrals, newest first."""
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ReferralInputSerializer, responses={201: ReferralSerializer})
    def create(self, request):
        """Record that a contact came through a member's referral code; both are rewarded on
        the new customer's first purchase or visit."""
        from ..services.referrals import referral_create

        data = ReferralInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        referral = referral_create(
            code=data.validated_data["code"], referred=data.validated_data["contact"]
        )
        return Response(ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)


def register(router, api_urlpatterns: list) -> None:
    router.register("loyalty/referrals", ReferralViewSet, basename="loyalty-referral")
