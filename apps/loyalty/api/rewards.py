"""API: the rewards catalogue (read-only: managers change it on the program's page)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers

from cxsuite.lib.api import TenantGenericViewSet
from cxsuite.lib.api_fields import ID_REGEX, query_params

from ..models import Reward
from .serializers import RewardSerializer


class RewardListParamsSerializer(serializers.Serializer):
    active = serializers.BooleanField(required=False, help_text="Only active (or inactive) ones")


class RewardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """What members can spend points on."""

    serializer_class = RewardSerializer
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        rewards = Reward.objects.order_by("cost_points", "name", "pk")
        if getattr(self, "swagger_fake_view", False) or self.action != "list":
            return rewards
        params = query_params(RewardListParamsSerializer, self.request)
        if "active" in params:
            rewards = rewards.filter(active=params["active"])
        return rewards

    @extend_schema(parameters=[RewardListParamsSerializer])
    def list(self, request, *args, **kwargs):
        """Rewards, cheapest first."""
        return super().list(request, *args, **kwargs)


def register(router, api_urlpatterns: list) -> None:
    router.register("loyalty/rewards", RewardViewSet, basename="loyalty-reward")
