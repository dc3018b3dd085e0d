"""Partner apps with OAuth 2.0: registered once on the public site, authorised by a business's
owner on the business's host (authorisation code + PKCE, scopes chosen), tokens that work on
that business alone, withdrawn from Settings."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from django.test import Client
from django_tenants.utils import schema_context
from oauth2_provider.models import get_access_token_model, get_application_model

from apps.accounts.selectors import oauth_authorisations
from apps.accounts.services import oauth_app_revoke
from tests.accounts.factories import oauth_token_create, partner_app_create
from tests.conftest import alpha, host_of

REDIRECT = "https://partner.example/cb"


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.decode().rstrip("=")


def _authorise_query(app, challenge: str, scope: str = "contacts:read appointments:write") -> str:
    return urlencode(
        {
            "response_type": "code",
            "client_id": app.client_id,
            "redirect_uri": REDIRECT,
            "scope": scope,
            "state": "xyz",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )


def _consent(client: Client, app, challenge: str, chosen: list[str]):
    """The owner opens the authorisation page and allows the `chosen` permissions."""
    page = client.get(f"/oauth/authorize/?{_authorise_query(app, challenge)}")
    assert page.status_code == 200, page.content[:500]
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields if name != "allow"}
    data.update({"allow": "on", "scope_choice": chosen})
    return client.post("/oauth/authorize/", data)


def _code_from(response) -> str:
    assert response.status_code == 302, response.content[:500]
    location = urlparse(response["Location"])
    assert location.netloc == "partner.example"
    query = parse_qs(location.query)
    assert query["state"] == ["xyz"]
    return query["code"][0]


def _exchange(client: Client, app, secret: str, code: str, verifier: str):
    return client.post(
        "/oauth/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
            "client_id": app.client_id,
            "client_secret": secret,
        },
    )


@pytest.mark.django_db
def test_authorise_exchange_with_pkce_call_refuse_elsewhere_and_revoke(
    owner_client, tenant, other_tenant
):
    app, secret = partner_app_create()
    verifier, challenge = _pkce()
    code = _code_from(_consent(owner_client, app, challenge, ["contacts:read"]))

    anonymous = Client(HTTP_HOST=host_of(tenant))
    wrong = _exchange(anonymous, app, secret, code, "not-the-verifier-" + "x" * 40)
    assert wrong.status_code == 400  # PKCE: the code alone is not enough
    code = _code_from(_consent(owner_client, app, challenge, ["contacts:read"]))
    answer = _exchange(anonymous, app, secret, code, verifier)
    assert answer.status_code == 200, answer.content
    tokens = answer.json()
    assert tokens["scope"] == "contacts:read"  # the owner unticked appointments:write
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {tokens['access_token']}"}

    api = Client(HTTP_HOST=host_of(tenant))
    listed = api.get("/api/v1/contacts/", **bearer)
    assert listed.status_code == 200, listed.content
    me = api.get("/api/v1/me/", **bearer).json()
    assert me["kind"] == "oauth_app" and me["name"] == "Partner CRM"
    assert me["scopes"] == ["contacts:read"]
    refused = api.get("/api/v1/appointments/", **bearer)
    assert refused.status_code == 403
    assert "appointments:read" in refused.json()["error"]["message"]
    write = api.post("/api/v1/contacts/", {"first_name": "Ada"}, **bearer)
    assert write.status_code == 403
    assert "contacts:write" in write.json()["error"]["message"]

    elsewhere = Client(HTTP_HOST=host_of(other_tenant)).get("/api/v1/contacts/", **bearer)
    assert elsewhere.status_code == 401
    assert elsewhere.json()["error"]["code"] == "authentication_failed"

    page = owner_client.get("/settings/apps/")
    assert page.status_code == 200
    assert "Partner CRM" in page.content.decode()
    withdrawn = owner_client.post(f"/settings/apps/{app.pk}/revoke/")
    assert withdrawn.status_code == 302
    assert api.get("/api/v1/contacts/", **bearer).status_code == 401
    refresh = anonymous.post(
        "/oauth/token/",
        {
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": app.client_id,
            "client_secret": secret,
        },
    )
    assert refresh.status_code in (400, 401)
    with alpha():
        assert oauth_authorisations() == []


@pytest.mark.django_db
def test_a_code_from_one_business_is_refused_by_another(owner_client, tenant, other_tenant):
    app, secret = partner_app_create()
    verifier, challenge = _pkce()
    code = _code_from(_consent(owner_client, app, challenge, ["contacts:read"]))
    answer = _exchange(Client(HTTP_HOST=host_of(other_tenant)), app, secret, code, verifier)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


@pytest.mark.django_db
def test_pkce_is_required(owner_client, tenant):
    app, _secret = partner_app_create()
    query = _authorise_query(app, "x").replace("code_challenge=x&code_challenge_method=S256", "")
    response = owner_client.get(f"/oauth/authorize/?{query}")
    # refused: sent back to the app with the error, or shown here
    if response.status_code == 302:
        assert "error=invalid_request" in response["Location"]
    else:
        assert response.status_code == 400


@pytest.mark.django_db
def test_refusing_sends_the_owner_back_with_access_denied(owner_client, tenant):
    app, _secret = partner_app_create()
    _verifier, challenge = _pkce()
    page = owner_client.get(f"/oauth/authorize/?{_authorise_query(app, challenge)}")
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields if name != "allow"}
    response = owner_client.post("/oauth/authorize/", data)
    assert response.status_code == 302
    assert "error=access_denied" in response["Location"]


@pytest.mark.django_db
def test_allowing_with_no_permission_ticked_asks_again(owner_client, tenant):
    app, _secret = partner_app_create()
    _verifier, challenge = _pkce()
    response = _consent(owner_client, app, challenge, [])
    assert response.status_code == 200
    assert "Tick at least one permission" in response.content.decode()
    with alpha():
        assert not get_access_token_model().objects.exists()


@pytest.mark.django_db
def test_only_an_owner_authorises(manager_client, viewer_client, tenant):
    app, _secret = partner_app_create()
    _verifier, challenge = _pkce()
    for client in (manager_client, viewer_client):
        response = client.get(f"/oauth/authorize/?{_authorise_query(app, challenge)}")
        assert response.status_code == 403


@pytest.mark.django_db
def test_authorising_needs_a_login(tenant_client, tenant):
    app, _secret = partner_app_create()
    _verifier, challenge = _pkce()
    response = tenant_client.get(f"/oauth/authorize/?{_authorise_query(app, challenge)}")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_outsider_cannot_authorise_for_alpha(outsider_client, tenant):
    app, _secret = partner_app_create()
    _verifier, challenge = _pkce()
    response = outsider_client.get(f"/oauth/authorize/?{_authorise_query(app, challenge)}")
    assert response.status_code == 302  # not logged in on alpha's host
    assert response["Location"].startswith("/login/")


# --- Settings → Authorised apps ----------------------------------------------------------------
@pytest.mark.django_db
def test_authorised_apps_page_lists_apps_with_their_scopes(owner_client, tenant):
    with alpha():
        oauth_token_create(["contacts:read", "tasks:write"])
    content = owner_client.get("/settings/apps/").content.decode()
    assert "Partner CRM" in content
    assert "contacts:read" in content and "tasks:write" in content


@pytest.mark.django_db
def test_authorised_apps_page_when_none(owner_client, tenant):
    response = owner_client.get("/settings/apps/")
    assert response.status_code == 200
    assert "No partner app can reach your business" in response.content.decode()


@pytest.mark.django_db
def test_authorised_apps_page_query_count_does_not_grow(
    owner_client, tenant, django_assert_max_num_queries
):
    with alpha():
        for index in range(5):
            oauth_token_create(["read"], app=partner_app_create(name=f"App {index}")[0])
    with django_assert_max_num_queries(12):
        assert owner_client.get("/settings/apps/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["manager_client", "viewer_client", "outsider_client"])
def test_only_owners_see_and_withdraw_authorised_apps(persona, request, tenant):
    client = request.getfixturevalue(persona)
    with alpha():
        raw = oauth_token_create(["read"])
        app = get_application_model().objects.get()
    assert client.get("/settings/apps/").status_code in (302, 403)
    assert client.post(f"/settings/apps/{app.pk}/revoke/").status_code in (302, 403)
    api = Client(HTTP_HOST=host_of(tenant))
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


@pytest.mark.django_db
def test_withdrawing_is_for_owners_only_in_the_service(manager, tenant):
    from django.core.exceptions import ValidationError

    raw = oauth_token_create(["read"])
    app = get_application_model().objects.get()
    with pytest.raises(ValidationError):
        oauth_app_revoke(application_id=app.pk, actor=manager)
    assert raw


@pytest.mark.django_db
def test_an_expired_token_is_refused(tenant):
    raw = oauth_token_create(["read"], seconds=-1)
    api = Client(HTTP_HOST=host_of(tenant))
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


@pytest.mark.django_db
def test_tokens_are_kept_as_hashes(tenant):
    raw = oauth_token_create(["read"])
    with schema_context("alpha"):
        token = get_access_token_model().objects.get()
    assert token.token == "" and raw not in str(token.token_checksum)


# --- registration on the public site -----------------------------------------------------------
@pytest.mark.django_db
def test_a_partner_registers_an_app_and_sees_its_secret_once(public_client):
    response = public_client.post(
        "/partners/apps/new/",
        {
            "name": "Widget Co",
            "redirect_uris": "https://widget.example/callback",
            "contact_email": "dev@widget.example",
        },
    )
    assert response.status_code == 200
    content = response.content.decode()
    app = get_application_model().objects.get(name="Widget Co")
    assert app.client_id in content
    secret = response.context["registered"]["client_secret"]
    assert secret in content
    assert secret not in app.client_secret  # only its hash is kept
    assert secret not in public_client.get("/partners/apps/new/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [("name", ""), ("redirect_uris", ""), ("redirect_uris", "not an address")],
)
def test_registration_names_the_field_at_fault(public_client, field, value):
    data = {
        "name": "Widget Co",
        "redirect_uris": "https://widget.example/callback",
        "contact_email": "dev@widget.example",
        field: value,
    }
    response = public_client.post("/partners/apps/new/", data)
    assert response.status_code == 200
    assert response.context["form"].errors.get(field)
    assert not get_application_model().objects.exists()


@pytest.mark.django_db
def test_the_registration_page_is_not_on_a_business_host(tenant_client):
    assert tenant_client.get("/partners/apps/new/").status_code == 404
