import json
import time
from urllib.parse import parse_qs, urlparse

import pytest
import yaml
from django.core import mail
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from apps.accounts.models import ApiKey, IdempotencyRecord, Invitation, Role, User
from apps.accounts.services import api_key_revoke
from tests.accounts.factories import InvitationFactory, UserFactory
from tests.conftest import alpha, api_client_for, owner_email

ME = "/api/v1/me/"
USERS = "/api/v1/users/"
INVITATIONS = "/api/v1/invitations/"
# search_path twice and the host lookup, the key lookup and its last use, then the users
USERS_ENDPOINT_QUERIES = 6


def session_api_client(user: User, slug: str = "alpha") -> APIClient:
    client = APIClient(HTTP_HOST=f"{slug}.localhost")
    with schema_context(slug):
        client.force_login(user)
    return client


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The one error shape of the API: {"error": {"code", "message", "fields"}}."""
    assert response.status_code == status, response.content
    body = response.json()
    assert list(body) == ["error"]
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["message"]
    assert isinstance(body["error"]["fields"], dict)
    if code is not None:
        assert body["error"]["code"] == code
    return body["error"]


def assert_rate_limit_headers(response, limit: int) -> int:
    assert response["X-RateLimit-Limit"] == str(limit)
    remaining = int(response["X-RateLimit-Remaining"])
    assert 0 <= remaining < limit
    assert int(response["X-RateLimit-Reset"]) >= int(time.time())
    return remaining


# --- /me/ and authentication -------------------------------------------------------------------
@pytest.mark.django_db
def test_me_with_an_api_key_describes_the_key_and_business(api_client):
    response = api_client.get(ME)
    assert response.status_code == 200
    assert response.json() == {
        "business": "Alpha Dental",
        "time_zone": "Europe/Berlin",
        "kind": "api_key",
        "name": "test key",
        "role": None,
        "scopes": ["read", "write"],
    }


@pytest.mark.django_db
def test_me_with_a_session_describes_the_member(owner):
    response = session_api_client(owner).get(ME)
    assert response.status_code == 200
    body = response.json()
    assert (body["kind"], body["role"], body["name"]) == ("user", "owner", owner.name)
    assert body["scopes"] == ["read", "write"]


@pytest.mark.django_db
def test_me_for_a_viewer_session_offers_only_read(viewer):
    assert session_api_client(viewer).get(ME).json()["scopes"] == ["read"]


@pytest.mark.django_db
def test_me_without_credentials_is_401_with_the_error_body(tenant):
    response = APIClient(HTTP_HOST="alpha.localhost").get(ME)
    error = assert_error(response, 401, "not_authenticated")
    assert error["fields"] == {}
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer cxs_garbage", "Bearer not-a-key", "Bearer a b"]
)
@pytest.mark.django_db
def test_malformed_or_unknown_bearer_token_is_401(tenant, header):
    response = APIClient(HTTP_HOST="alpha.localhost", HTTP_AUTHORIZATION=header).get(ME)
    assert_error(response, 401)


@pytest.mark.django_db
def test_revoked_key_is_401(api_client):
    with alpha():
        api_key_revoke(api_key=ApiKey.objects.get())
    response = api_client.get(ME)
    assert_error(response, 401, "authentication_failed")
    assert "Alpha" not in response.content.decode()


@pytest.mark.django_db
def test_outsider_key_on_alpha_is_401_and_returns_no_data(outsider_api_client):
    for path in (ME, USERS, INVITATIONS):
        response = outsider_api_client.get(path)
        assert_error(response, 401, "authentication_failed")
        content = response.content.decode()
        assert "results" not in content and owner_email("alpha") not in content


@pytest.mark.django_db
def test_outsider_key_cannot_create_an_invitation_on_alpha(outsider_api_client):
    response = outsider_api_client.post(INVITATIONS, {"email": "x@example.test"}, format="json")
    assert_error(response, 401)
    with alpha():
        assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_outsider_session_on_alpha_is_not_authenticated(outsider, other_tenant):
    client = session_api_client(outsider, slug="beta")
    client.defaults["HTTP_HOST"] = "alpha.localhost"
    assert_error(client.get(ME), 401, "not_authenticated")
    assert_error(client.get(USERS), 401)


@pytest.mark.django_db
def test_outsider_key_cannot_read_an_alpha_member(outsider_api_client, owner):
    response = outsider_api_client.get(f"{USERS}{owner.pk}/")
    assert_error(response, 401)
    assert owner.email not in response.content.decode()


@pytest.mark.django_db
def test_beta_key_works_on_beta_host(other_tenant):
    client = api_client_for(other_tenant, ["read"])
    response = client.get(ME)
    assert response.status_code == 200
    assert response.json()["business"] == "Beta Repairs"
    emails = [user["email"] for user in client.get(USERS).json()["results"]]
    assert emails == [owner_email("beta")]


# --- invitations: who may ----------------------------------------------------------------------
@pytest.mark.django_db
def test_read_key_cannot_create_invitation(read_api_client):
    response = read_api_client.post(INVITATIONS, {"email": "nina@example.test"}, format="json")
    assert_error(response, 403, "permission_denied")
    with alpha():
        assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_write_key_creates_invitation_and_sends_the_email(
    api_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            INVITATIONS, {"email": "Nina@Example.test", "role": "viewer"}, format="json"
        )
    assert response.status_code == 201
    body = response.json()
    assert (body["email"], body["role"], body["accepted_at"]) == (
        "nina@example.test",
        "viewer",
        None,
    )
    with alpha():
        invitation = Invitation.objects.get(pk=body["id"])
    assert invitation.invited_by is None
    assert len(mail.outbox) == 1
    assert "http://alpha.localhost/invite/" in mail.outbox[0].body


@pytest.mark.django_db
def test_read_key_lists_open_invitations(read_api_client):
    with alpha():
        InvitationFactory(email="open@example.test")
    response = read_api_client.get(INVITATIONS)
    assert response.status_code == 200
    assert [row["email"] for row in response.json()["results"]] == ["open@example.test"]


@pytest.mark.django_db
def test_viewer_session_cannot_create_invitation(viewer):
    response = session_api_client(viewer).post(
        INVITATIONS, {"email": "nina@example.test"}, format="json"
    )
    assert_error(response, 403)
    with alpha():
        assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_staff_session_cannot_list_invitations(staff_member):
    with alpha():
        InvitationFactory(email="secret@example.test")
    response = session_api_client(staff_member).get(INVITATIONS)
    assert_error(response, 403)
    assert "secret@example.test" not in response.content.decode()


@pytest.mark.django_db
def test_manager_session_lists_and_creates_invitations(manager):
    client = session_api_client(manager)
    created = client.post(INVITATIONS, {"email": "nina@example.test"}, format="json")
    assert created.status_code == 201
    assert created.json()["role"] == "staff"
    listed = client.get(INVITATIONS).json()["results"]
    assert [row["id"] for row in listed] == [created.json()["id"]]
    with alpha():
        assert Invitation.objects.get().invited_by == manager


@pytest.mark.django_db
def test_staff_session_reads_the_team(staff_member):
    response = session_api_client(staff_member).get(USERS)
    assert response.status_code == 200
    assert staff_member.email in [row["email"] for row in response.json()["results"]]


# --- invitations: bad input --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({}, "email"),
        ({"email": "nina@example.test", "role": "emperor"}, "role"),
        ({"email": owner_email("alpha")}, "email"),  # already on the team (service rule)
        ({"email": "boss@example.test", "role": "owner"}, "role"),  # keys cannot make owners
    ],
)
@pytest.mark.django_db
def test_bad_invitation_input_is_400_naming_the_field(api_client, payload, field):
    response = api_client.post(INVITATIONS, payload, format="json")
    error = assert_error(response, 400, "invalid")
    assert field in error["fields"]
    assert field in error["message"]
    with alpha():
        assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_second_open_invitation_over_the_api_is_400_naming_email(api_client):
    assert (
        api_client.post(INVITATIONS, {"email": "n@example.test"}, format="json").status_code == 201
    )
    response = api_client.post(INVITATIONS, {"email": "N@example.test"}, format="json")
    assert "email" in assert_error(response, 400)["fields"]


@pytest.mark.django_db
def test_malformed_json_is_400_not_500(api_client):
    response = api_client.post(INVITATIONS, "{not json", content_type="application/json")
    assert_error(response, 400, "parse_error")


# --- Idempotency-Key ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_same_idempotency_key_and_body_replays_the_first_answer(api_client):
    payload = {"email": "nina@example.test", "role": "staff"}
    first = api_client.post(INVITATIONS, payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = api_client.post(INVITATIONS, payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    with alpha():
        assert Invitation.objects.count() == 1


@pytest.mark.django_db
def test_same_idempotency_key_with_another_body_is_422(api_client):
    api_client.post(
        INVITATIONS, {"email": "nina@example.test"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    response = api_client.post(
        INVITATIONS, {"email": "omar@example.test"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    error = assert_error(response, 422, "idempotency_key_reused")
    assert "Idempotency-Key" in error["fields"]
    with alpha():
        assert list(Invitation.objects.values_list("email", flat=True)) == ["nina@example.test"]


@pytest.mark.django_db
def test_a_refused_request_is_replayed_as_refused(api_client):
    payload = {"email": "not-an-email"}
    first = api_client.post(INVITATIONS, payload, format="json", HTTP_IDEMPOTENCY_KEY="k-bad")
    second = api_client.post(INVITATIONS, payload, format="json", HTTP_IDEMPOTENCY_KEY="k-bad")
    assert first.status_code == second.status_code == 400
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_idempotency_keys_of_different_clients_do_not_collide(api_client, manager):
    from_key = api_client.post(
        INVITATIONS, {"email": "a@example.test"}, format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    from_manager = session_api_client(manager).post(
        INVITATIONS, {"email": "b@example.test"}, format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    assert (from_key.status_code, from_manager.status_code) == (201, 201)
    assert from_key.json()["id"] != from_manager.json()["id"]
    with alpha():
        assert IdempotencyRecord.objects.count() == 2


@pytest.mark.django_db
def test_too_long_idempotency_key_is_400_naming_the_header(api_client):
    response = api_client.post(
        INVITATIONS, {"email": "a@example.test"}, format="json", HTTP_IDEMPOTENCY_KEY="k" * 256
    )
    assert "Idempotency-Key" in assert_error(response, 400)["fields"]
    with alpha():
        assert not Invitation.objects.exists()


# --- pagination --------------------------------------------------------------------------------
@pytest.mark.django_db
def test_cursor_pagination_walks_every_user_once(read_api_client):
    with alpha():
        UserFactory.create_batch(4)
        expected = set(User.objects.values_list("pk", flat=True))
    assert len(expected) == 5
    first = read_api_client.get(f"{USERS}?page_size=2").json()
    assert len(first["results"]) == 2
    assert first["next"] and first["previous"] is None
    assert urlparse(first["next"]).netloc == "alpha.localhost"
    assert parse_qs(urlparse(first["next"]).query)["page_size"] == ["2"]
    seen = [row["id"] for row in first["results"]]
    url = first["next"]
    while url:
        page = read_api_client.get(url).json()
        assert len(page["results"]) <= 2
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen))
    assert set(seen) == expected


@pytest.mark.django_db
def test_page_size_is_capped(read_api_client):
    with alpha():
        UserFactory.create_batch(3)
    response = read_api_client.get(f"{USERS}?page_size=100000")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 4


@pytest.mark.django_db
def test_users_endpoint_query_count_does_not_grow_with_the_team(
    read_api_client, django_assert_max_num_queries
):
    with alpha():
        UserFactory.create_batch(20)
    with django_assert_max_num_queries(USERS_ENDPOINT_QUERIES):
        response = read_api_client.get(USERS)
    assert len(response.json()["results"]) == 21


# --- rate limits -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_rate_limit_headers_on_successful_and_refused_responses(api_client, settings):
    limit = settings.API_RATE_LIMIT
    ok = api_client.get(ME)
    created = api_client.post(INVITATIONS, {"email": "a@example.test"}, format="json")
    invalid = api_client.post(INVITATIONS, {"email": "nope"}, format="json")
    assert (ok.status_code, created.status_code, invalid.status_code) == (200, 201, 400)
    remaining = [assert_rate_limit_headers(r, limit) for r in (ok, created, invalid)]
    assert remaining == [limit - 1, limit - 2, limit - 3]


@pytest.mark.django_db
def test_rate_limit_counts_each_key_separately(api_client, read_api_client, settings):
    api_client.get(ME)
    api_client.get(ME)
    response = read_api_client.get(ME)
    assert assert_rate_limit_headers(response, settings.API_RATE_LIMIT) == (
        settings.API_RATE_LIMIT - 1
    )


@pytest.mark.django_db
def test_fourth_request_over_a_limit_of_three_is_429(api_client, settings):
    settings.API_RATE_LIMIT = 3
    settings.API_RATE_WINDOW_SECONDS = 3600  # no window boundary falls inside the test
    for _ in range(3):
        assert api_client.get(ME).status_code == 200
    response = api_client.get(ME)
    assert_error(response, 429, "throttled")
    assert 1 <= int(response["Retry-After"]) <= 3600
    assert response["X-RateLimit-Limit"] == "3"
    assert response["X-RateLimit-Remaining"] == "0"


@pytest.mark.django_db
def test_rate_limit_also_applies_to_sessions(manager, settings):
    settings.API_RATE_LIMIT = 2
    settings.API_RATE_WINDOW_SECONDS = 3600
    client = session_api_client(manager)
    assert [client.get(ME).status_code for _ in range(3)] == [200, 200, 429]


# --- OpenAPI -----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_schema_is_an_openapi_3_document_with_the_accounts_paths(tenant_client):
    response = tenant_client.get("/api/schema/?format=json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/me/", "/api/v1/invitations/", "/api/v1/users/"} <= set(document["paths"])
    assert "post" in document["paths"]["/api/v1/invitations/"]


@pytest.mark.django_db
def test_schema_is_served_as_yaml_by_default(tenant_client):
    response = tenant_client.get("/api/schema/")
    assert response.status_code == 200
    document = yaml.safe_load(response.content)
    assert document["openapi"].startswith("3.")
    assert "/api/v1/me/" in document["paths"]


@pytest.mark.django_db
def test_api_docs_page_is_html(tenant_client):
    response = tenant_client.get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    content = response.content.decode()
    assert "swagger-ui" in content
    script = tenant_client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()


@pytest.mark.django_db
def test_api_docs_page_runs_under_the_content_security_policy(tenant_client):
    content = tenant_client.get("/api/docs/").content.decode()
    assert "<script>" not in content


def test_role_choices_in_the_schema_match_the_model():
    from apps.accounts.api import InvitationInputSerializer

    assert set(InvitationInputSerializer().fields["role"].choices) == set(Role.values)
