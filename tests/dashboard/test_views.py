import re

import pytest
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from tests.accounts.factories import ApiKeyFactory, InvitationFactory, UserFactory

ROLE_CLIENTS = ["owner_client", "manager_client", "staff_client", "viewer_client"]
# search_path twice and the host lookup, session, user, three counts for the figures, then
# today's coming appointments and the day's count
HOME_QUERIES = 10


def _directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize("client_name", ROLE_CLIENTS)
@pytest.mark.django_db
def test_home_renders_for_every_role_with_the_business_name(request, client_name):
    response = request.getfixturevalue(client_name).get("/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Alpha Dental" in content
    assert "Welcome," in content


@pytest.mark.parametrize("client_name", ROLE_CLIENTS)
@pytest.mark.django_db
def test_navigation_shows_settings_to_every_role(request, client_name):
    content = request.getfixturevalue(client_name).get("/").content.decode()
    link = re.search(r'<a href="/settings/" class="nav__link[^"]*">(.*?)</a>', content, re.S)
    assert link and "<span>Settings</span>" in link.group(1)
    assert 'aria-current="page"' in content  # "Home" is marked as the current entry


@pytest.mark.parametrize(
    ("client_name", "shows_manager_steps"),
    [
        ("owner_client", True),
        ("manager_client", True),
        ("staff_client", False),
        ("viewer_client", False),
    ],
)
@pytest.mark.django_db
def test_first_steps_link_to_manager_pages_only_for_managers(
    request, client_name, shows_manager_steps
):
    content = request.getfixturevalue(client_name).get("/").content.decode()
    for path in ("/settings/users/", "/settings/api-keys/", "/settings/profile/"):
        assert (f'href="{path}"' in content) is shows_manager_steps


@pytest.mark.django_db
def test_home_counts_the_active_team_and_open_invitations(owner_client, tenant):
    UserFactory.create_batch(2)
    UserFactory(is_active=False)
    InvitationFactory.create_batch(3)
    content = owner_client.get("/").content.decode()
    assert "3 people on the team." in content
    assert "3 invitations waiting." in content


@pytest.mark.django_db
def test_home_for_anonymous_visitor_redirects_to_login(tenant_client):
    response = tenant_client.get("/")
    assert response.status_code == 302
    assert response.url == "/login/?next=/"


@pytest.mark.django_db
def test_home_is_not_open_to_the_outsider(outsider_client):
    response = outsider_client.get("/")
    assert response.status_code == 302
    assert response.url == "/login/?next=/"
    assert b"Beta Repairs" not in response.content


@pytest.mark.django_db
def test_deactivated_member_cannot_open_home(tenant):
    from django.test import Client

    member = UserFactory(role=Role.MANAGER)
    client = Client(HTTP_HOST="alpha.localhost")
    client.force_login(member)
    member.is_active = False
    member.save()
    response = client.get("/")
    assert response.status_code in (302, 403)
    assert b"Welcome," not in response.content


@pytest.mark.django_db
def test_home_query_count_does_not_grow_with_the_business(
    owner_client, owner, django_assert_max_num_queries
):
    with schema_context("alpha"):
        UserFactory.create_batch(25)
        InvitationFactory.create_batch(10)
        ApiKeyFactory.create_batch(10)
    with django_assert_max_num_queries(HOME_QUERIES):
        response = owner_client.get("/")
    assert response.status_code == 200
    assert "26 people on the team." in response.content.decode()


@pytest.mark.django_db
def test_home_has_the_phone_friendly_layout(owner_client):
    content = owner_client.get("/").content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in content
    assert 'class="nav-toggle"' in content  # the menu folds behind a button on small screens
    assert 'class="nav nav--mobile"' in content


@pytest.mark.django_db
def test_home_csp_allows_only_nonced_scripts(owner_client):
    response = owner_client.get("/")
    directives = _directives(response["Content-Security-Policy"])
    script_src = directives["script-src"]
    nonces = [value for value in script_src if value.startswith("'nonce-")]
    assert len(nonces) == 1 and len(nonces[0]) > len("'nonce-'") + 8
    assert "'unsafe-eval'" not in script_src
    assert "'unsafe-inline'" not in script_src
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    # the nonce in the header is the one the page uses
    nonce = nonces[0][len("'nonce-") : -1]
    assert f'nonce="{nonce}"' in response.content.decode()


@pytest.mark.django_db
def test_every_inline_script_or_style_on_home_carries_the_nonce(owner_client):
    response = owner_client.get("/")
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    content = response.content.decode()
    for tag in re.findall(r"<(?:script|style)\b[^>]*>", content):
        assert "src=" in tag or f'nonce="{nonce}"' in tag, tag


@pytest.mark.django_db
def test_each_response_gets_a_fresh_nonce(owner_client):
    first = owner_client.get("/")["Content-Security-Policy"]
    second = owner_client.get("/")["Content-Security-Policy"]
    assert re.search(r"'nonce-[^']+'", first).group(0) != re.search(r"'nonce-[^']+'", second).group(
        0
    )


def test_the_current_section_is_highlighted_once(owner_client):
    content = owner_client.get("/segments/").content.decode()
    assert content.count('aria-current="page"') == 2  # sidebar and phone menu
    assert 'href="/segments/" class="nav__link is-current"' in content
    assert 'href="/contacts/" class="nav__link is-current"' not in content


@pytest.mark.django_db
def test_home_lists_todays_coming_appointments_in_practice_time(
    owner_client, django_assert_max_num_queries
):
    import datetime as dt
    import zoneinfo

    from django.utils import timezone

    from tests.appointments.factories import AppointmentFactory

    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    now = timezone.now().astimezone(berlin)
    end_of_day = dt.datetime.combine(now.date(), dt.time(23, 59), tzinfo=berlin)
    with schema_context("alpha"):
        later = AppointmentFactory(
            starts_at=min(now + dt.timedelta(minutes=5), end_of_day - dt.timedelta(minutes=30)),
            contact__first_name="Ada",
            contact__last_name="Lovelace",
        )
        AppointmentFactory(starts_at=later.starts_at, status="cancelled")
        for n in range(10):  # more visits do not mean more queries
            AppointmentFactory(starts_at=later.starts_at + dt.timedelta(seconds=n + 1))
        AppointmentFactory(starts_at=now + dt.timedelta(days=1, hours=1))  # tomorrow
    with django_assert_max_num_queries(HOME_QUERIES):
        content = owner_client.get("/").content.decode()
    assert "Ada Lovelace" in content
    assert later.starts_at.astimezone(berlin).strftime("%H:%M") in content
    assert "11 appointments today in all." in content


@pytest.mark.django_db
def test_home_says_when_nothing_is_booked_today(owner_client):
    assert "Nothing booked for today." in owner_client.get("/").content.decode()
