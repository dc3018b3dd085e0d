"""API: vouchers. List a member's, validate a code (what it is and whether it can be used,
changing nothing) and redeem it (once: of two tills at the same moment, one gets a 409)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.contacts.selectors import transaction_find
from cxsuite.lib.api import TenantGenericViewSet
from cxsuite.lib.api_fields import (
    ID_REGEX,
    NamedChoiceField,
    StrictInputMixin,
    id_field,
    query_params,
    request_actor,
)

from ..models import Voucher, VoucherChannel, VoucherStatus
from ..services.vouchers import voucher_code_normalise, voucher_find, voucher_redeem
from . import examples
from .members import api_key_of
from .serializers import VoucherSerializer


@extend_schema_serializer(examples=examples.VOUCHER_CODE)
class VoucherCodeInputSerializer(StrictInputMixin, serializers.Serializer):
    code = serializers.CharField(
        max_length=40, help_text="The code as typed or scanned (spaces and dashes are ignored)"
    )

    def validate_code(self, value: str) -> str:
        code = voucher_code_normalise(value)
        if not code:
            raise serializers.ValidationError(_("Enter the voucher's code."))
        return code


@extend_schema_serializer(examples=examples.VOUCHER_REDEEM)
class VoucherRedeemInputSerializer(VoucherCodeInputSerializer):
    transaction = id_field(
        required=False,
        allow_null=True,
        default=None,
        help_text="Id of the purchase (in the CRM) it was used on, if any",
    )

    def validate_transaction(self, value: int | None) -> int | None:
        if value is not None and transaction_find(value) is None:
            raise serializers.ValidationError(_("There is no purchase with this id."))
        return value


class VoucherListParamsSerializer(serializers.Serializer):
    member = id_field(required=False)
    status = NamedChoiceField(VoucherStatus, required=False)


class VoucherViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """Vouchers issued by the program."""

    serializer_class = VoucherSerializer
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        vouchers = Voucher.objects.order_by("-issued_at", "-pk")
        if getattr(self, "swagger_fake_view", False) or self.action != "list":
            return vouchers
        params = query_params(VoucherListParamsSerializer, self.request)
        if "member" in params:
            vouchers = vouchers.filter(member_id=params["member"])
        if "status" in params:
            vouchers = vouchers.filter(status=params["status"])
        return vouchers

    @extend_schema(parameters=[VoucherListParamsSerializer])
    def list(self, request, *args, **kwargs):
        """Vouchers, newest first; the filters combine."""
        return super().list(request, *args, **kwargs)

    @extend_schema(request=VoucherCodeInputSerializer, responses={200: VoucherSerializer})
    @action(detail=False, methods=["post"])
    def validate(self, request):
        """What a code is and whether it can be used now (`usable`); changes nothing. An
        unknown code is a 400 naming `code`."""
        data = VoucherCodeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        voucher = voucher_find(data.validated_data["code"])
        if voucher is None:
            raise serializers.ValidationError({"code": [_("No voucher has this code.")]})
        return Response(VoucherSerializer(voucher).data)

    @extend_schema(request=VoucherRedeemInputSerializer, responses={200: VoucherSerializer})
    @action(detail=False, methods=["post"])
    def redeem(self, request):
        """Use a voucher, once. Used already: 409; expired, cancelled or unknown: 400."""
        data = VoucherRedeemInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        voucher = voucher_redeem(
            code=data.validated_data["code"],
            channel=VoucherChannel.API,
            staff=request_actor(request),
            api_key=api_key_of(request),
            transaction_id=data.validated_data["transaction"],
        )
        return Response(VoucherSerializer(voucher).data)


def register(router, api_urlpatterns: list) -> None:
    router.register("loyalty/vouchers", VoucherViewSet, basename="loyalty-voucher")
