import re
import zoneinfo
from datetime import timedelta

import pytest
from django.core import mail
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.middleware import TimezoneMiddleware
from apps.accounts.models import ApiKey, Invitation, LoginCounter, Role, User
from apps.accounts.services import (
    api_key_authenticate,
    api_key_create,
    invitation_create,
    invitation_token,
)
from tests.accounts.factories import ApiKeyFactory, InvitationFactory, UserFactory
from tests.conftest import PASSWORD, alpha, owner_email

MANAGER_PAGES = ["/settings/profile/", "/settings/users/", "/settings/api-keys/"]
MEMBER_PAGES = ["/", "/settings/", "/settings/preferences/", *MANAGER_PAGES]
HTMX = {"HTTP_HX_REQUEST": "true"}
# search_path twice and the host lookup, session, user, the channels in test mode (a cold
# cache: the banner's); then the team and open invitations
USERS_PAGE_QUERIES = 8
KEYS_PAGE_QUERIES = 7  # the same, with the key list instead of team and invitations


def _refresh(obj):
    with alpha():
        obj.refresh_from_db()
    return obj


def _invite(manager: User, email: str = "invitee@example.test", role: str = Role.STAFF):
    with alpha():
        return invitation_create(
            email=email,
            role=role,
            invited_by=manager,
            accept_url_base="http://alpha.localhost/invite/",
        )


def _assert_sent_to_login(response, path: str) -> None:
    assert response.status_code == 302
    assert response.url == f"/login/?next={path}"


# --- login ---------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_login_page_renders_with_the_business_name(tenant_client):
    response = tenant_client.get("/login/")
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="username"' in content and 'name="password"' in content
    assert "Alpha Dental" in content


@pytest.mark.django_db
def test_login_with_good_credentials_redirects_to_the_dashboard(tenant_client):
    response = tenant_client.post(
        "/login/", {"username": owner_email("alpha"), "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == "/"
    assert tenant_client.get("/").status_code == 200


@pytest.mark.parametrize("target", ["http://evil.test/", "http://beta.localhost/", "//evil.test/"])
@pytest.mark.django_db
def test_login_never_redirects_to_another_host(tenant_client, target):
    response = tenant_client.post(
        f"/login/?next={target}", {"username": owner_email("alpha"), "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == "/"


@pytest.mark.django_db
def test_login_follows_a_local_next(tenant_client):
    response = tenant_client.post(
        "/login/?next=/settings/users/", {"username": owner_email("alpha"), "password": PASSWORD}
    )
    assert response.url == "/settings/users/"


@pytest.mark.django_db
def test_login_with_wrong_password_shows_the_error(tenant_client):
    response = tenant_client.post(
        "/login/", {"username": owner_email("alpha"), "password": "not-the-password"}
    )
    assert response.status_code == 200
    assert "That email and password do not match an active account." in response.content.decode()
    assert "_auth_user_id" not in tenant_client.session


@pytest.mark.django_db
def test_after_five_failures_even_the_right_password_is_refused(tenant_client):
    email = owner_email("alpha")
    for _ in range(5):
        tenant_client.post("/login/", {"username": email, "password": "wrong-password"})
    response = tenant_client.post("/login/", {"username": email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in tenant_client.session


@pytest.mark.django_db
def test_a_blocked_attempt_never_checks_the_password(tenant_client, monkeypatch, tmp_path):
    checks = tmp_path / "checks"
    monkeypatch.setenv("CXSUITE_PASSWORD_CHECKS", str(checks))
    email = owner_email("alpha")
    for _ in range(7):
        tenant_client.post("/login/", {"username": email, "password": "wrong-password"})
    assert len(checks.read_text().splitlines()) == 5
    tenant_client.post("/login/", {"username": email, "password": PASSWORD})
    assert len(checks.read_text().splitlines()) == 5


@pytest.mark.django_db
def test_the_blocked_login_page_says_how_long_to_wait(tenant_client):
    email = owner_email("alpha")
    for _ in range(5):
        tenant_client.post("/login/", {"username": email, "password": "wrong-password"})
    with alpha():  # the window started a while ago: 13.5 minutes are left
        LoginCounter.objects.update(expires_at=timezone.now() + timedelta(minutes=13, seconds=30))
    response = tenant_client.post("/login/", {"username": email, "password": PASSWORD})
    assert "Try again in 14 minutes" in response.content.decode()
    with alpha():
        LoginCounter.objects.update(expires_at=timezone.now() + timedelta(seconds=20))
    response = tenant_client.post("/login/", {"username": email, "password": PASSWORD})
    assert "Try again in 1 minute or" in response.content.decode()


@pytest.mark.django_db
def test_a_post_without_a_password_is_not_counted(tenant_client):
    email = owner_email("alpha")
    for _ in range(8):
        response = tenant_client.post("/login/", {"username": email, "password": ""})
        assert response.status_code == 200
    response = tenant_client.post("/login/", {"username": email, "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_success_before_the_limit_resets_the_failure_count(tenant_client):
    email = owner_email("alpha")
    for _ in range(4):
        tenant_client.post("/login/", {"username": email, "password": "wrong-password"})
    assert (
        tenant_client.post("/login/", {"username": email, "password": PASSWORD}).status_code == 302
    )
    tenant_client.logout()
    for _ in range(4):
        tenant_client.post("/login/", {"username": email, "password": "wrong-password"})
    assert (
        tenant_client.post("/login/", {"username": email, "password": PASSWORD}).status_code == 302
    )


@pytest.mark.django_db
def test_outsider_cannot_log_in_to_alpha_with_their_own_credentials(tenant_client):
    response = tenant_client.post(
        "/login/", {"username": owner_email("beta"), "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "do not match" in response.content.decode()
    assert "_auth_user_id" not in tenant_client.session


# --- who may open what -----------------------------------------------------------------------
@pytest.mark.parametrize("path", MEMBER_PAGES)
@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_login(tenant_client, path):
    _assert_sent_to_login(tenant_client.get(path), path)


@pytest.mark.parametrize("path", MEMBER_PAGES)
@pytest.mark.django_db
def test_outsider_session_is_not_authenticated_on_alpha(outsider_client, path):
    _assert_sent_to_login(outsider_client.get(path), path)


@pytest.mark.parametrize("client_name", ["viewer_client", "staff_client"])
@pytest.mark.parametrize("path", MANAGER_PAGES)
@pytest.mark.django_db
def test_viewer_and_staff_are_refused_manager_pages(request, client_name, path):
    response = request.getfixturevalue(client_name).get(path)
    assert response.status_code == 403
    assert "Your role does not allow this" in response.content.decode()


@pytest.mark.parametrize("client_name", ["viewer_client", "staff_client"])
@pytest.mark.django_db
def test_viewer_and_staff_can_open_their_preferences(request, client_name):
    client = request.getfixturevalue(client_name)
    assert client.get("/settings/").url == "/settings/preferences/"
    response = client.get("/settings/preferences/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Your preferences" in content
    assert "/settings/users/" not in content  # the manager tabs are hidden


@pytest.mark.parametrize("client_name", ["owner_client", "manager_client"])
@pytest.mark.parametrize("path", MANAGER_PAGES)
@pytest.mark.django_db
def test_owner_and_manager_open_every_settings_page(request, client_name, path):
    assert request.getfixturevalue(client_name).get(path).status_code == 200


@pytest.mark.django_db
def test_settings_index_sends_managers_to_the_business_profile(manager_client):
    assert manager_client.get("/settings/").url == "/settings/profile/"


# --- preferences -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_preferences_save_name_and_time_zone(viewer_client, viewer):
    response = viewer_client.post(
        "/settings/preferences/", {"name": "Vera Viewer", "time_zone": "Asia/Tokyo"}
    )
    assert response.status_code == 302
    _refresh(viewer)
    assert (viewer.name, viewer.time_zone, viewer.role) == (
        "Vera Viewer",
        "Asia/Tokyo",
        Role.VIEWER,
    )


@pytest.mark.django_db
def test_preferences_refuse_an_unknown_time_zone(viewer_client, viewer):
    response = viewer_client.post(
        "/settings/preferences/", {"name": "Vera", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 200
    assert 'id="time_zone-errors"' in response.content.decode()
    assert _refresh(viewer).time_zone == ""


@pytest.mark.django_db
def test_outsider_cannot_change_preferences_on_alpha(outsider_client, outsider, other_tenant):
    response = outsider_client.post(
        "/settings/preferences/", {"name": "Hijacked", "time_zone": "Asia/Tokyo"}
    )
    _assert_sent_to_login(response, "/settings/preferences/")
    with schema_context(other_tenant.schema_name):
        assert User.objects.get(pk=outsider.pk).name != "Hijacked"


# --- team: invitations and roles --------------------------------------------------------------
@pytest.mark.django_db
def test_manager_invites_through_the_users_page(manager_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            "/settings/users/", {"email": "Nina@Example.test", "role": "viewer"}
        )
    assert response.status_code == 302
    assert response.url == "/settings/users/"
    with alpha():
        invitation = Invitation.objects.get(email="nina@example.test")
    assert invitation.role == Role.VIEWER
    assert len(mail.outbox) == 1
    assert "http://alpha.localhost/invite/" in mail.outbox[0].body
    page = manager_client.get("/settings/users/").content.decode()
    assert "Invitation sent to nina@example.test." in page
    assert "nina@example.test · Viewer" in page


@pytest.mark.django_db
def test_htmx_invite_returns_only_the_team_panel(manager_client):
    response = manager_client.post(
        "/settings/users/", {"email": "nina@example.test", "role": "staff"}, **HTMX
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="team-panel"' in content
    assert "<html" not in content
    assert "nina@example.test · Staff" in content
    assert "Invitation sent to nina@example.test." in content
    with alpha():
        assert Invitation.objects.filter(email="nina@example.test").exists()


@pytest.mark.django_db
def test_invite_with_invalid_email_shows_a_field_error(manager_client):
    response = manager_client.post("/settings/users/", {"email": "not-an-email", "role": "staff"})
    assert response.status_code == 200
    assert 'id="email-errors"' in response.content.decode()
    with alpha():
        assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_invite_of_an_existing_member_shows_the_service_error_on_the_field(
    manager_client, staff_member
):
    response = manager_client.post(
        "/settings/users/", {"email": staff_member.email, "role": "staff"}, **HTMX
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="email-errors"' in content
    assert "already on the team" in content
    with alpha():
        assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_manager_cannot_invite_an_owner_through_the_page(manager_client):
    response = manager_client.post(
        "/settings/users/", {"email": "boss@example.test", "role": "owner"}
    )
    assert response.status_code == 200
    assert 'id="role-errors"' in response.content.decode()
    with alpha():
        assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_manager_changes_a_role(manager_client, staff_member):
    response = manager_client.post(
        f"/settings/users/{staff_member.pk}/", {"role": "viewer", "is_active": "on"}
    )
    assert response.status_code == 302
    assert response.url == "/settings/users/"
    _refresh(staff_member)
    assert (staff_member.role, staff_member.is_active) == (Role.VIEWER, True)


@pytest.mark.django_db
def test_manager_deactivates_a_member_with_htmx(manager_client, staff_member):
    response = manager_client.post(f"/settings/users/{staff_member.pk}/", {"role": "staff"}, **HTMX)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="team-panel"' in content and "<html" not in content
    assert "deactivated" in content
    assert not _refresh(staff_member).is_active


@pytest.mark.django_db
def test_manager_cannot_demote_the_owner_and_sees_why(manager_client, owner):
    response = manager_client.post(
        f"/settings/users/{owner.pk}/", {"role": "staff", "is_active": "on"}, follow=True
    )
    assert response.status_code == 200
    assert "Only an owner can change another owner." in response.content.decode()
    assert _refresh(owner).role == Role.OWNER


@pytest.mark.django_db
def test_role_update_with_unknown_role_changes_nothing(manager_client, staff_member):
    response = manager_client.post(
        f"/settings/users/{staff_member.pk}/", {"role": "emperor", "is_active": "on"}, follow=True
    )
    assert "Choose a valid role." in response.content.decode()
    assert _refresh(staff_member).role == Role.STAFF


@pytest.mark.django_db
def test_staff_cannot_change_roles(staff_client, viewer):
    response = staff_client.post(f"/settings/users/{viewer.pk}/", {"role": "manager"})
    assert response.status_code == 403
    assert _refresh(viewer).role == Role.VIEWER


@pytest.mark.django_db
def test_role_update_of_an_unknown_member_is_404(manager_client):
    assert manager_client.post("/settings/users/999999/", {"role": "staff"}).status_code == 404


@pytest.mark.django_db
def test_manager_withdraws_an_invitation(manager_client, manager):
    invitation = _invite(manager)
    response = manager_client.post(f"/settings/invitations/{invitation.pk}/revoke/", **HTMX)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="team-panel"' in content
    assert "invitee@example.test · Staff" not in content
    assert _refresh(invitation).revoked_at is not None


@pytest.mark.django_db
def test_staff_cannot_withdraw_an_invitation(staff_client, manager):
    invitation = _invite(manager)
    assert staff_client.post(f"/settings/invitations/{invitation.pk}/revoke/").status_code == 403
    assert _refresh(invitation).is_open


@pytest.mark.django_db
def test_outsider_cannot_invite_on_alpha(outsider_client):
    response = outsider_client.post(
        "/settings/users/", {"email": "x@example.test", "role": "staff"}
    )
    _assert_sent_to_login(response, "/settings/users/")
    with alpha():
        assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_outsider_cannot_change_an_alpha_role(outsider_client, staff_member):
    response = outsider_client.post(f"/settings/users/{staff_member.pk}/", {"role": "viewer"})
    _assert_sent_to_login(response, f"/settings/users/{staff_member.pk}/")
    assert _refresh(staff_member).role == Role.STAFF


@pytest.mark.django_db
def test_outsider_cannot_withdraw_an_alpha_invitation(outsider_client, manager):
    invitation = _invite(manager)
    path = f"/settings/invitations/{invitation.pk}/revoke/"
    _assert_sent_to_login(outsider_client.post(path), path)
    assert _refresh(invitation).is_open


@pytest.mark.django_db
def test_users_page_query_count_does_not_grow_with_the_team(
    manager_client, manager, django_assert_max_num_queries
):
    with alpha():
        UserFactory.create_batch(12)
        UserFactory.create_batch(3, is_active=False)
        for n in range(6):
            InvitationFactory(email=f"waiting{n}@example.test", invited_by=manager)
    # an N+1 on members or invitations would add 21 queries
    with django_assert_max_num_queries(USERS_PAGE_QUERIES):
        response = manager_client.get("/settings/users/")
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count('action="/settings/users/') >= 16 + 1  # every other member + invite
    assert content.count("waiting") >= 6


# --- API keys page ------------------------------------------------------------------------------
def _new_key_on_page(content: str) -> str:
    match = re.search(r'<pre class="secret" id="new-key">([^<]+)</pre>', content)
    assert match, "the new key is not on the page"
    return match.group(1)


@pytest.mark.django_db
def test_new_api_key_is_shown_exactly_once(manager_client):
    response = manager_client.post("/settings/api-keys/", {"name": "Widget", "scopes": ["read"]})
    assert response.status_code == 200
    raw = _new_key_on_page(response.content.decode())
    with alpha():
        key = ApiKey.objects.get(name="Widget")
        assert api_key_authenticate(raw_key=raw) == key
    assert key.scopes == ["read"]
    later = manager_client.get("/settings/api-keys/").content.decode()
    assert raw not in later
    assert 'id="new-key"' not in later
    assert f"cxs_{key.prefix}_…" in later


@pytest.mark.django_db
def test_api_key_form_refuses_a_missing_scope(manager_client):
    response = manager_client.post("/settings/api-keys/", {"name": "Widget"})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="scopes-errors"' in content
    assert 'id="new-key"' not in content
    with alpha():
        assert not ApiKey.objects.exists()


@pytest.mark.django_db
def test_manager_revokes_an_api_key(manager_client):
    with alpha():
        key, raw = api_key_create(name="Widget", scopes=["read"], created_by=None)
    response = manager_client.post(f"/settings/api-keys/{key.pk}/revoke/")
    assert response.status_code == 302
    assert response.url == "/settings/api-keys/"
    assert _refresh(key).revoked_at is not None
    with alpha():
        assert api_key_authenticate(raw_key=raw) is None
    assert "revoked" in manager_client.get("/settings/api-keys/").content.decode()


@pytest.mark.django_db
def test_staff_cannot_revoke_an_api_key(staff_client):
    with alpha():
        key = ApiKeyFactory()
    assert staff_client.post(f"/settings/api-keys/{key.pk}/revoke/").status_code == 403
    assert _refresh(key).is_active


@pytest.mark.django_db
def test_outsider_cannot_create_an_api_key_on_alpha(outsider_client):
    response = outsider_client.post("/settings/api-keys/", {"name": "Evil", "scopes": ["write"]})
    _assert_sent_to_login(response, "/settings/api-keys/")
    assert "cxs_" not in response.content.decode()
    with alpha():
        assert not ApiKey.objects.exists()


@pytest.mark.django_db
def test_outsider_cannot_revoke_an_alpha_api_key(outsider_client):
    with alpha():
        key = ApiKeyFactory()
    path = f"/settings/api-keys/{key.pk}/revoke/"
    _assert_sent_to_login(outsider_client.post(path), path)
    assert _refresh(key).is_active


# --- business profile ------------------------------------------------------------------------
def _profile(**overrides) -> dict:
    data = dict(
        name="Alpha Dental Care",
        country="AT",
        time_zone="Europe/Vienna",
        language="de",
        brand_color="#aa3366",
        currency="EUR",
    )
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_profile_form_saves(owner_client, tenant):
    response = owner_client.post("/settings/profile/", _profile())
    assert response.status_code == 302
    assert response.url == "/settings/profile/"
    tenant.refresh_from_db()
    assert (tenant.name, tenant.country, tenant.time_zone, tenant.language, tenant.brand_color) == (
        "Alpha Dental Care",
        "AT",
        "Europe/Vienna",
        "de",
        "#aa3366",
    )
    assert "Business profile saved." in owner_client.get("/settings/profile/").content.decode()


@pytest.mark.django_db
def test_profile_currency_is_chosen_from_the_list(owner_client, tenant):
    assert tenant.currency == "EUR"  # from its country (DE) at sign-up
    page = owner_client.get("/settings/profile/").content.decode()
    assert '<option value="EUR" selected>' in page
    assert owner_client.post("/settings/profile/", _profile(currency="CHF")).status_code == 302
    tenant.refresh_from_db()
    assert tenant.currency == "CHF"
    response = owner_client.post("/settings/profile/", _profile(currency="XYZ"))
    assert response.status_code == 200 and 'id="currency-errors"' in response.content.decode()
    tenant.refresh_from_db()
    assert tenant.currency == "CHF"


@pytest.mark.django_db
def test_profile_with_invalid_colour_names_the_field_and_saves_nothing(owner_client, tenant):
    colour_before = tenant.brand_color
    response = owner_client.post("/settings/profile/", _profile(brand_color="teal"))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="brand_color-errors"' in content
    assert "Use a colour like #0f766e." in content
    tenant.refresh_from_db()
    assert (tenant.name, tenant.brand_color) == ("Alpha Dental", colour_before)


@pytest.mark.django_db
def test_outsider_cannot_change_alpha_profile(outsider_client, tenant):
    response = outsider_client.post("/settings/profile/", _profile(name="Taken over"))
    _assert_sent_to_login(response, "/settings/profile/")
    tenant.refresh_from_db()
    assert tenant.name == "Alpha Dental"


# --- accepting an invitation ------------------------------------------------------------------
@pytest.mark.django_db
def test_accept_invitation_end_to_end(tenant_client, manager):
    invitation = _invite(manager, email="joiner@example.test", role=Role.VIEWER)
    path = f"/invite/{invitation_token(invitation)}/"
    page = tenant_client.get(path)
    assert page.status_code == 200
    assert "joiner@example.test" in page.content.decode()
    response = tenant_client.post(path, {"name": "Joan Joiner", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == "/"
    home = tenant_client.get("/")
    assert home.status_code == 200
    assert "Welcome, Joan Joiner" in home.content.decode()
    with alpha():
        user = User.objects.get(email="joiner@example.test")
    assert user.role == Role.VIEWER
    assert _refresh(invitation).accepted_at is not None
    assert tenant_client.get(path).status_code == 200  # the link now explains, it does not work
    assert "already been used" in tenant_client.get(path).content.decode()


@pytest.mark.django_db
def test_accept_invitation_with_weak_password_shows_the_field_error(tenant_client, manager):
    invitation = _invite(manager, email="joiner@example.test")
    response = tenant_client.post(
        f"/invite/{invitation_token(invitation)}/", {"name": "Joan", "password": "123"}
    )
    assert response.status_code == 200
    assert 'id="password-errors"' in response.content.decode()
    assert _refresh(invitation).is_open
    assert "_auth_user_id" not in tenant_client.session


@pytest.mark.parametrize("token", ["garbage", "eyJzIjoiYWxwaGEiLCJpIjoxfQ:1abc:zzz"])
@pytest.mark.django_db
def test_invalid_invitation_link_shows_a_clear_message(tenant_client, token):
    response = tenant_client.get(f"/invite/{token}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "This invitation cannot be used" in content
    assert "This invitation link is not valid." in content


@pytest.mark.django_db
def test_invitation_link_of_beta_does_not_work_on_alpha(tenant_client, other_tenant):
    with schema_context(other_tenant.schema_name):
        token = invitation_token(InvitationFactory(email="beta.invitee@example.test"))
    response = tenant_client.post(f"/invite/{token}/", {"name": "Sneaky", "password": PASSWORD})
    assert response.status_code == 200
    assert "This invitation link is not valid." in response.content.decode()
    with alpha():
        assert not User.objects.filter(email="beta.invitee@example.test").exists()


# --- password reset ----------------------------------------------------------------------------
@pytest.mark.django_db
def test_password_reset_emails_a_link_to_the_tenant_host(tenant_client):
    response = tenant_client.post("/password-reset/", {"email": owner_email("alpha")})
    assert response.status_code == 302
    assert response.url == "/password-reset/sent/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [owner_email("alpha")]
    link = re.search(r"http://alpha\.localhost/password-reset/\S+/\S+/", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    # the link works: choose a new password, then log in with it
    set_password = tenant_client.get(link.group(0))
    assert set_password.status_code == 302
    new_password = "a-brand-new-passphrase-42"
    done = tenant_client.post(
        set_password.url, {"new_password1": new_password, "new_password2": new_password}
    )
    assert done.url == "/password-reset/complete/"
    login = tenant_client.post(
        "/login/", {"username": owner_email("alpha"), "password": new_password}
    )
    assert login.status_code == 302


@pytest.mark.django_db
def test_password_reset_for_the_outsiders_email_sends_nothing_from_alpha(tenant_client):
    response = tenant_client.post("/password-reset/", {"email": owner_email("beta")})
    assert response.status_code == 302
    assert mail.outbox == []


# --- time zone --------------------------------------------------------------------------------
def _zone_seen_by_view(user, tenant) -> str:
    request = RequestFactory().get("/")
    request.user, request.tenant = user, tenant
    middleware = TimezoneMiddleware(lambda r: HttpResponse(timezone.get_current_timezone_name()))
    try:
        return middleware(request).content.decode()
    finally:
        timezone.deactivate()


@pytest.mark.django_db
def test_time_zone_middleware_uses_the_members_own_zone(tenant):
    assert _zone_seen_by_view(UserFactory.build(time_zone="Asia/Tokyo"), tenant) == "Asia/Tokyo"


@pytest.mark.django_db
def test_time_zone_middleware_falls_back_to_the_business_zone(tenant):
    assert _zone_seen_by_view(UserFactory.build(time_zone=""), tenant) == "Europe/Berlin"


@pytest.mark.django_db
def test_time_zone_middleware_ignores_an_unknown_zone(tenant):
    assert _zone_seen_by_view(UserFactory.build(time_zone="Mars/Olympus"), tenant) == "UTC"


def test_time_zone_middleware_uses_utc_without_user_or_tenant():
    request = RequestFactory().get("/")
    middleware = TimezoneMiddleware(lambda r: HttpResponse(timezone.get_current_timezone_name()))
    assert middleware(request).content.decode() == "UTC"


@pytest.mark.django_db
def test_home_page_clock_follows_the_members_time_zone(tenant):
    with alpha():
        user = UserFactory(time_zone="Asia/Tokyo")
    client = Client(HTTP_HOST="alpha.localhost")
    with alpha():
        client.force_login(user)
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    before = timezone.localtime(timezone=tokyo).strftime("%H")
    content = client.get("/").content.decode()
    after = timezone.localtime(timezone=tokyo).strftime("%H")
    shown = re.search(r"· (\d\d):\d\d ·", content)
    assert shown, "the clock is not on the home page"
    assert shown.group(1) in {before, after}


@pytest.mark.django_db
def test_api_keys_page_query_count_does_not_grow_with_the_keys(
    manager_client, manager, django_assert_max_num_queries
):
    with alpha():
        ApiKeyFactory.create_batch(10, created_by=manager)
        ApiKeyFactory.create_batch(4, created_by=manager, revoked_at=timezone.now())
    with django_assert_max_num_queries(KEYS_PAGE_QUERIES):
        response = manager_client.get("/settings/api-keys/")
    assert response.status_code == 200
    assert response.content.decode().count("hx-confirm=") == 10


@pytest.mark.django_db
def test_revoking_a_key_from_htmx_redirects_the_page_and_revokes(manager_client, tenant):
    from apps.accounts.models import ApiKey
    from apps.accounts.services import api_key_create

    key, _raw = api_key_create(name="Till", scopes=["read"], created_by=None)
    response = manager_client.post(f"/settings/api-keys/{key.pk}/revoke/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/settings/api-keys/"
    with schema_context(tenant.schema_name):
        assert ApiKey.objects.get(pk=key.pk).revoked_at is not None


@pytest.mark.django_db
def test_profile_form_saves_how_customers_reach_the_business(owner_client, tenant):
    details = {
        "phone": "030 1234567",
        "email": "hello@alpha.example",
        "website": "https://alpha.example",
        "address": "Hauptstraße 1, Berlin",
        "opening_note": "Late opening on Thursdays",
    }
    assert (
        owner_client.post("/settings/profile/", _profile(country="DE", **details)).status_code
        == 302
    )
    tenant.refresh_from_db()
    assert (tenant.phone, tenant.email, tenant.address) == (
        "+49301234567",
        "hello@alpha.example",
        "Hauptstraße 1, Berlin",
    )
    page = owner_client.get("/settings/profile/").content.decode()
    assert 'value="030 1234567"' in page  # shown as the business writes it
    response = owner_client.post(
        "/settings/profile/", _profile(country="DE", **{**details, "phone": "12"})
    )
    assert response.status_code == 200 and 'id="phone-errors"' in response.content.decode()
