"""API: loyalty members. Enrol a contact, read a member, their balance and statement (the
ledger, newest first), earn (from a purchase, a partner event or a number of points) and
redeem a reward for a voucher. Earning points and redeeming take an `Idempotency-Key`: a
retried request never counts twice."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.contacts.selectors import contact_find
from cxsuite.lib.api import TenantGenericViewSet
from cxsuite.lib.api_fields import ID_REGEX, StrictInputMixin, id_field, query_params, request_actor
from cxsuite.lib.filters import UPDATED_SINCE, updated_since_apply

from ..models import LedgerEntry, Member, Reward
from ..selectors.member_page import points_spendable
from . import examples
from .serializers import BalanceSerializer, EntrySerializer, MemberSerializer, VoucherSerializer


def idempotency_key(request, *, required: bool) -> str:
    """The ledger's key for this request: who asks and their Idempotency-Key."""
    key = request.headers.get("Idempotency-Key", "")
    if not key:
        if required:
            raise exceptions.ValidationError(
                {"Idempotency-Key": [_("Send an Idempotency-Key header with this request.")]}
            )
        return ""
    client = (
        f"key{request.auth.pk}" if hasattr(request.auth, "prefix") else f"user{request.user.pk}"
    )
    return f"api:{client}:{key}"[:120]


def api_key_of(request):
    return request.auth if hasattr(request.auth, "prefix") else None


@extend_schema_serializer(examples=examples.ENROL)
class EnrolInputSerializer(StrictInputMixin, serializers.Serializer):
    contact = id_field(help_text="Id of the contact who joins")

    def validate_contact(self, value: int):
        contact = contact_find(pk=value)
        if contact is None:
            raise serializers.ValidationError(_("There is no contact with this id."))
        return contact


@extend_schema_serializer(examples=examples.EARN)
class EarnInputSerializer(StrictInputMixin, serializers.Serializer):
    transaction = id_field(
        required=False, help_text="Id of the member's purchase (in the CRM) that earns"
    )
    event_type = serializers.CharField(
        required=False, max_length=64, help_text="A partner event of the catalogue that earns"
    )
    points = serializers.IntegerField(
        required=False, min_value=1, max_value=1_000_000, help_text="Points to give"
    )
    reason = serializers.CharField(required=False, max_length=300, default="", allow_blank=True)

    def validate(self, attrs):
        given = [name for name in ("transaction", "event_type", "points") if name in attrs]
        if len(given) != 1:
            raise serializers.ValidationError(
                {"points": [_("Send exactly one of transaction, event_type and points.")]}
            )
        return attrs


@extend_schema_serializer(examples=examples.EARN_RESULT)
class EarnResultSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    points = serializers.IntegerField(help_text="Points this request earned (0: none)")
    balance = serializers.IntegerField()
    entry = serializers.IntegerField(allow_null=True, help_text="The ledger entry, if any")


@extend_schema_serializer(examples=examples.REDEEM)
class RedeemInputSerializer(StrictInputMixin, serializers.Serializer):
    reward = id_field(help_text="Id of the reward to spend points on")

    def validate_reward(self, value: int) -> Reward:
        reward = Reward.objects.filter(pk=value).first()
        if reward is None:
            raise serializers.ValidationError(_("There is no reward with this id."))
        return reward


class MemberListParamsSerializer(serializers.Serializer):
    contact = id_field(required=False)
    tier = id_field(required=False)
    min_balance = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1)


class MemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """Members of the loyalty program."""

    serializer_class = MemberSerializer
    lookup_value_regex = ID_REGEX
    idempotent_atomic_actions = frozenset({"earn"})

    def get_queryset(self):
        members = Member.objects.select_related("tier").order_by("-member_since", "-pk")
        if getattr(self, "swagger_fake_view", False) or self.action != "list":
            return members
        params = query_params(MemberListParamsSerializer, self.request)
        if "contact" in params:
            members = members.filter(contact_id=params["contact"])
        if "tier" in params:
            members = members.filter(tier_id=params["tier"])
        if "min_balance" in params:
            members = members.filter(balance__gte=params["min_balance"])
        return members

    @extend_schema(parameters=[MemberListParamsSerializer])
    def list(self, request, *args, **kwargs):
        """Members, newest first; the filters combine."""
        return super().list(request, *args, **kwargs)

    @extend_schema(request=EnrolInputSerializer, responses={201: MemberSerializer})
    def create(self, request):
        """Enrol a contact (enrolling a member again returns their account)."""
        from ..services.ledger import member_enrol

        data = EnrolInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = member_enrol(contact=data.validated_data["contact"])
        return Response(MemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=BalanceSerializer)
    @action(detail=True, methods=["get"])
    def balance(self, request, pk=None):
        """The balance: what can be spent now, what is pending, and the next expiry."""
        member = self.get_object()
        now = timezone.now()
        available = points_spendable(member, at=now)
        next_lot = (
            member.lots.filter(remaining__gt=0, expires_at__gt=now)
            .order_by("expires_at", "pk")
            .values("expires_at")
            .first()
        )
        next_points = 0
        if next_lot:
            next_points = sum(
                member.lots.filter(remaining__gt=0, expires_at=next_lot["expires_at"]).values_list(
                    "remaining", flat=True
                )
            )
        pending = member.lots.filter(remaining__gt=0, pending_until__gt=now)
        data = {
            "member": member.pk,
            "balance": member.balance,
            "available": available,
            "pending": sum(pending.values_list("remaining", flat=True)),
            "wallet_balance": member.wallet_balance,
            "next_expiry": next_lot["expires_at"] if next_lot else None,
            "next_expiry_points": next_points,
        }
        return Response(BalanceSerializer(data).data)

    @extend_schema(responses=EntrySerializer(many=True), parameters=[UPDATED_SINCE])
    @action(detail=True, methods=["get"])
    def statement(self, request, pk=None):
        """The member's ledger, newest first: every entry with the balance after it."""
        member = self.get_object()
        entries = LedgerEntry.objects.filter(member=member).order_by("-occurred_at", "-pk")
        entries = updated_since_apply(request, entries, "created")  # entries never change
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(EntrySerializer(page, many=True).data)

    @extend_schema(request=EarnInputSerializer, responses={201: EarnResultSerializer})
    @action(detail=True, methods=["post"])
    def earn(self, request, pk=None):
        """Earn from a purchase of the member (keyed by the purchase), from a partner event
        (its bonus rules), or a number of points (needs an Idempotency-Key)."""
        from ..services.api_earning import (
            member_event_earn,
            member_points_earn,
            member_purchase_earn,
        )

        data = EarnInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if "points" in values:  # the member is read once, locked, by the earn itself
            try:
                entry = member_points_earn(
                    member_id=int(pk),
                    points=values["points"],
                    reason=values["reason"],
                    idempotency_key=idempotency_key(request, required=True),
                    api_key=api_key_of(request),
                    staff=request_actor(request),
                )
            except Member.DoesNotExist:
                raise exceptions.NotFound() from None
            # whole numbers already, as EarnResultSerializer describes them (not run here: the
            # hottest write of the API)
            result = {
                "member": entry.member_id,
                "points": entry.points,
                "balance": entry.member.balance,
                "entry": entry.pk,
            }
            return Response(result, status=status.HTTP_201_CREATED)
        member = self.get_object()
        before = member.balance
        entry = None
        if "transaction" in values:
            entry = member_purchase_earn(member=member, transaction_id=values["transaction"])
        else:
            member_event_earn(
                member=member, event_type=values["event_type"], actor=request_actor(request)
            )
        member.refresh_from_db()
        earned = entry.points if entry is not None else max(member.balance - before, 0)
        result = {
            "member": member.pk,
            "points": earned,
            "balance": member.balance,
            "entry": entry.pk if entry is not None else None,
        }
        return Response(EarnResultSerializer(result).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RedeemInputSerializer, responses={201: VoucherSerializer})
    @action(detail=True, methods=["post"])
    def redeem(self, request, pk=None):
        """Spend points on a reward: a voucher is issued (needs an Idempotency-Key; the same
        key returns the same voucher). Too few points is a 400; out of stock a 409."""
        from ..services.vouchers import reward_redeem

        member = self.get_object()
        data = RedeemInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reward = data.validated_data["reward"]
        voucher = reward_redeem(
            member=member,
            reward=reward,
            idempotency_key=idempotency_key(request, required=True),
            staff=request_actor(request),
            api_key=api_key_of(request),
        )
        return Response(VoucherSerializer(voucher).data, status=status.HTTP_201_CREATED)


def register(router, api_urlpatterns: list) -> None:
    router.register("loyalty/members", MemberViewSet, basename="loyalty-member")
