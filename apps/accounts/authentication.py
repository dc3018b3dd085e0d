"""DRF authentication by `Authorization: Bearer <credential>`, looked up in the host's schema
only: an API key (`cxs_…`) or a partner app's OAuth access token."""

from __future__ import annotations

import hashlib

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from oauth2_provider.models import get_access_token_model
from rest_framework import authentication, exceptions

from .services import API_KEY_PREFIX, api_key_authenticate


class ApiClient:
    """The identity behind an API key: authenticated, but no staff member and no role."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    pk = None
    kind = "api_key"

    def __init__(self, api_key):
        self.api_key = api_key
        self.scopes: list[str] = list(api_key.scopes)
        self.name = api_key.name
        self.client_ident = f"key:{api_key.pk}"

    def __str__(self) -> str:
        return f"API key {self.api_key.prefix}"

    def has_role(self, role: str) -> bool:
        return False


class OAuthClient(ApiClient):
    """The identity behind a partner app's access token: the app, with the scopes the owner
    granted it on this business. It acts as no team member."""

    kind = "oauth_app"

    def __init__(self, token):  # noqa: D107 - a token, not a key
        self.token = token
        self.scopes = token.scope.split()
        self.name = token.application.name
        self.client_ident = f"oauth:{token.application_id}"

    def __str__(self) -> str:
        return f"OAuth app {self.token.application_id}"


def oauth_token_find(raw_token: str):
    """The live access token of this business matching `raw_token`, or None."""
    checksum = hashlib.sha256(raw_token.encode()).hexdigest()
    token = (
        get_access_token_model()
        .objects.select_related("application")
        .filter(token_checksum=checksum, expires__gt=timezone.now())
        .first()
    )
    return token


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        # From the WSGI environ directly (a str there): DRF's helper goes through two layers
        # of attribute forwarding and a bytes round trip, a measurable share of a small call.
        header = request._request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        parts = header.split()
        if parts[0] != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Send the header as 'Bearer <api key>'."))
        if not parts[1].startswith(f"{API_KEY_PREFIX}_"):
            token = oauth_token_find(parts[1])
            if token is None:
                raise exceptions.AuthenticationFailed(
                    _("This access token is not valid for this business.")
                )
            return OAuthClient(token), token
        api_key = api_key_authenticate(raw_key=parts[1])
        if api_key is None:
            raise exceptions.AuthenticationFailed(_("This API key is not valid for this business."))
        return ApiClient(api_key), api_key

    def authenticate_header(self, request) -> str:
        return self.keyword


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """Describes the credential to the OpenAPI schema (a bearer token in the Authorization
    header: an API key, or a partner app's OAuth access token)."""

    target_class = ApiKeyAuthentication
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A key from Settings → API keys, or a partner app's OAuth access "
            "token (see /developers/).",
        }
