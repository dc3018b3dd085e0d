"""API: who am I, the team, invitations."""

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import mixins, serializers
from rest_framework.response import Response

from cxsuite.lib.api import TenantAPIView, TenantGenericViewSet
from cxsuite.lib.api_fields import request_actor

from . import api_examples, selectors, services
from .authentication import ApiClient
from .models import Invitation, Role, User


@extend_schema_serializer(examples=api_examples.USER)
class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "name", "role", "time_zone", "is_active", "date_joined"]


@extend_schema_serializer(examples=api_examples.INVITATION)
class InvitationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "created", "accepted_at", "revoked_at"]


@extend_schema_serializer(examples=api_examples.INVITATION_INPUT)
class InvitationInputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices, default=Role.STAFF)


@extend_schema_serializer(examples=api_examples.ME)
class MeSerializer(serializers.Serializer):
    business = serializers.CharField()
    time_zone = serializers.CharField()
    kind = serializers.ChoiceField(choices=["user", "api_key", "oauth_app"])
    name = serializers.CharField()
    role = serializers.CharField(allow_null=True)
    scopes = serializers.ListField(child=serializers.CharField())


class MeView(TenantAPIView):
    """The business and the identity this request is authenticated as."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        tenant = request.tenant
        if isinstance(request.user, ApiClient):  # an API key or a partner app
            client = request.user
            data = {"kind": client.kind, "name": client.name, "role": None, "scopes": client.scopes}
        else:
            user = request.user
            scopes = ["read", "write"] if user.has_role(Role.STAFF) else ["read"]
            data = {"kind": "user", "name": user.name, "role": user.role, "scopes": scopes}
        return Response({"business": tenant.name, "time_zone": tenant.time_zone, **data})


class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """The business's team members (read-only over the API)."""

    serializer_class = UserSerializer

    def get_queryset(self):
        return selectors.user_list()


class InvitationViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, TenantGenericViewSet):
    """Invite a team member by e-mail; owners and managers (or a write key) only."""

    serializer_class = InvitationSerializer
    read_role = Role.MANAGER
    write_role = Role.MANAGER

    def get_queryset(self):
        return selectors.invitation_list_open()

    def get_serializer_class(self):
        return InvitationInputSerializer if self.action == "create" else InvitationSerializer

    @extend_schema(request=InvitationInputSerializer, responses={201: InvitationSerializer})
    def create(self, request, *args, **kwargs):
        data = InvitationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.invitation_create(
            **data.validated_data,
            invited_by=request_actor(request),
            accept_url_base=request.build_absolute_uri("/invite/"),
        )
        return Response(InvitationSerializer(invitation).data, status=201)
