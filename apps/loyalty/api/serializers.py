"""What the loyalty API answers: members, ledger entries, vouchers, rewards, referrals."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from cxsuite.lib.api_fields import NamedChoiceField

from ..models import (
    EntryKind,
    EntrySource,
    LedgerEntry,
    Member,
    Referral,
    ReferralStatus,
    Reward,
    RewardKind,
    Voucher,
    VoucherSource,
    VoucherStatus,
)
from . import examples


@extend_schema_serializer(examples=examples.MEMBER)
class MemberSerializer(serializers.ModelSerializer):
    tier = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="Id of the member's tier (null: none)"
    )
    tier_name = serializers.SerializerMethodField(help_text='The tier\'s name ("" when none)')
    balance = serializers.IntegerField(
        read_only=True, help_text="Every point held, pending ones included"
    )
    wallet_balance = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, help_text="Cashback kept as money"
    )

    class Meta:
        model = Member
        fields = [
            "id",
            "contact",
            "balance",
            "wallet_balance",
            "tier",
            "tier_name",
            "tier_since",
            "member_since",
            "referral_code",
            "visits",
            "active",
        ]
        read_only_fields = fields

    def get_tier_name(self, member: Member) -> str:
        return member.tier.name if member.tier_id and member.tier else ""


@extend_schema_serializer(examples=examples.BALANCE)
class BalanceSerializer(serializers.Serializer):
    member = serializers.IntegerField(help_text="Id of the member")
    balance = serializers.IntegerField(help_text="Every point held (pending included)")
    available = serializers.IntegerField(help_text="Points that can be spent now")
    pending = serializers.IntegerField(help_text="Points waiting for the return window")
    wallet_balance = serializers.DecimalField(max_digits=12, decimal_places=2)
    next_expiry = serializers.DateTimeField(
        allow_null=True, help_text="When the next points expire (null: none do)"
    )
    next_expiry_points = serializers.IntegerField(help_text="How many expire then")


@extend_schema_serializer(examples=examples.ENTRY)
class EntrySerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(EntryKind, read_only=True)
    source = NamedChoiceField(EntrySource, read_only=True)
    voucher = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    reverses = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "kind",
            "points",
            "balance_after",
            "occurred_at",
            "source",
            "transaction_id",
            "appointment_id",
            "event_id",
            "voucher",
            "reverses",
            "reason",
            "shortfall",
        ]
        read_only_fields = fields


@extend_schema_serializer(examples=examples.VOUCHER)
class VoucherSerializer(serializers.ModelSerializer):
    status = NamedChoiceField(VoucherStatus, read_only=True)
    source = NamedChoiceField(VoucherSource, read_only=True)
    kind = NamedChoiceField(RewardKind, read_only=True)
    reward = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    usable = serializers.SerializerMethodField(help_text="Can be redeemed now")

    class Meta:
        model = Voucher
        fields = [
            "id",
            "code",
            "member",
            "source",
            "reward",
            "kind",
            "value",
            "label",
            "points_cost",
            "status",
            "usable",
            "issued_at",
            "expires_at",
            "used_at",
            "used_transaction_id",
        ]
        read_only_fields = fields

    def get_usable(self, voucher: Voucher) -> bool:
        from django.utils import timezone

        return voucher.status == VoucherStatus.ISSUED and voucher.expires_at > timezone.now()


@extend_schema_serializer(examples=examples.REWARD)
class RewardSerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(RewardKind, read_only=True)
    service = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Reward
        fields = [
            "id",
            "name",
            "description",
            "kind",
            "value",
            "service",
            "cost_points",
            "stock",
            "available_from",
            "available_until",
            "voucher_valid_days",
            "active",
        ]
        read_only_fields = fields


@extend_schema_serializer(examples=examples.REFERRAL)
class ReferralSerializer(serializers.ModelSerializer):
    status = NamedChoiceField(ReferralStatus, read_only=True)

    class Meta:
        model = Referral
        fields = ["id", "referrer", "referred", "status", "created", "rewarded_at"]
        read_only_fields = fields
