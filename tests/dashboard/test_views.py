"""The home page (the greeting and the registered cards as htmx placeholders), the "Get
started" card on its own URL, and the navigation read from the sidebar registry."""

import re

import pytest
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import schema_context

from apps.accounts.models import Role
from apps.accounts.registries import HomeCard, SidebarItem, home_cards, sidebar_items
from tests.accounts.factories import ApiKeyFactory, InvitationFactory, UserFactory

ROLE_CLIENTS = ["owner_client", "manager_client", "staff_client", "viewer_client"]
HTMX = {"HTTP_HX_REQUEST": "true"}
GET_STARTED = "/home/get-started/"
# Pinned for a test's first request (cold host cache): search_path twice and the host lookup,
# session, user, the channels in test mode (cold cache; then a minute from the cache); the home
# page reads nothing of its own
HOME_QUERIES = 6
GET_STARTED_QUERIES = 6  # ... and the four first-step counts in one UNION query


def _cards(content: str) -> list[tuple[str, str]]:
    """(id, hx-get) of each card placeholder on the home page, in page order."""
    return re.findall(
        r'<section class="card home-card home-card--loading" id="([^"]+)"[^>]*'
        r'hx-get="([^"]+)" hx-trigger="load" hx-swap="outerHTML"',
        content,
    )


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


@pytest.mark.parametrize("client_name", ROLE_CLIENTS)
@pytest.mark.django_db
def test_home_loads_each_module_s_card_from_its_own_url(request, client_name):
    content = request.getfixturevalue(client_name).get("/").content.decode()
    manager = client_name in ("owner_client", "manager_client")
    setup = [("home-appointments-setup", "/appointments/home/setup/")] if manager else []
    assert _cards(content) == [
        *setup,
        ("home-appointments-today", "/appointments/home/today/"),
        ("home-appointments-pending", "/appointments/home/pending/"),
        ("home-messaging-replies", "/messages/home/replies/"),
        ("home-feedback-remember", "/feedback/home/remember/"),
        ("home-feedback-cases", "/feedback/home/cases/"),
        ("home-appointments-booking-link", "/appointments/home/booking-link/"),
        ("home-contacts-tasks", "/contacts/home/tasks/"),
        ("home-loyalty-summary", "/loyalty/home/summary/"),
        ("home-dashboard-get-started", GET_STARTED),
    ]
    for title in ("Today&#x27;s appointments", "Your booking page", "My tasks", "Get started"):
        assert f">{title}</h2>" in content  # the title shows while the card loads
    assert (">Set up online booking</h2>" in content) is manager


@pytest.mark.parametrize(
    ("client_name", "sees_it"),
    [
        ("owner_client", True),
        ("manager_client", True),
        ("staff_client", False),
        ("viewer_client", False),
    ],
)
@pytest.mark.django_db
def test_a_registered_card_shows_from_its_role_up_in_its_order(request, client_name, sees_it):
    card = HomeCard(
        id="probe.figures",
        title="Probe figures",  # a test card: no translation
        url_name="accounts:settings",
        order=15,
        min_role=Role.MANAGER,
    )
    with home_cards.override(card.id, card):
        content = request.getfixturevalue(client_name).get("/").content.decode()
    ids = [card_id for card_id, _url in _cards(content)]
    if sees_it:
        assert ids[:9] == [
            "home-appointments-setup",
            "home-appointments-today",
            "home-appointments-pending",
            "home-messaging-replies",
            "home-feedback-remember",
            "home-feedback-cases",
            "home-appointments-booking-link",
            "home-probe-figures",
            "home-contacts-tasks",
        ]
        assert 'hx-get="/settings/" hx-trigger="load"' in content
    else:
        assert "home-probe-figures" not in ids and "Probe figures" not in content
    assert "Probe figures" not in request.getfixturevalue(client_name).get("/").content.decode()


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
    response = request.getfixturevalue(client_name).get(GET_STARTED, **HTMX)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="home-dashboard-get-started"' in content and "<!doctype" not in content
    for path in ("/settings/users/", "/settings/api-keys/", "/settings/profile/"):
        assert (f'href="{path}"' in content) is shows_manager_steps


@pytest.mark.django_db
def test_first_steps_count_the_active_team_and_open_invitations(owner_client, tenant):
    UserFactory.create_batch(2)
    UserFactory(is_active=False)
    InvitationFactory.create_batch(3)
    content = owner_client.get(GET_STARTED, **HTMX).content.decode()
    assert "3 people on the team." in content
    assert "3 invitations waiting." in content


@pytest.mark.django_db
def test_the_get_started_address_opened_itself_leads_home(owner_client):
    response = owner_client.get(GET_STARTED)
    assert response.status_code == 302 and response.url == "/"
    assert owner_client.post(GET_STARTED, **HTMX).status_code == 405


@pytest.mark.django_db
def test_the_get_started_card_is_not_open_to_the_outsider_or_anonymous(
    outsider_client, tenant_client
):
    for client in (outsider_client, tenant_client):
        response = client.get(GET_STARTED, **HTMX)
        assert response.status_code == 302
        assert response.url == f"/login/?next={GET_STARTED}"
        assert b"people on the team" not in response.content


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


def _grown_business() -> None:
    with schema_context("alpha"):
        UserFactory.create_batch(25)
        InvitationFactory.create_batch(10)
        ApiKeyFactory.create_batch(10)


@pytest.mark.django_db
def test_home_query_count_does_not_grow_with_the_business(
    owner_client, owner, django_assert_max_num_queries
):
    _grown_business()
    with django_assert_max_num_queries(HOME_QUERIES):
        response = owner_client.get("/")
    assert response.status_code == 200 and len(_cards(response.content.decode())) == 10


@pytest.mark.django_db
def test_get_started_query_count_does_not_grow_with_the_business(
    owner_client, owner, django_assert_max_num_queries
):
    _grown_business()
    with django_assert_max_num_queries(GET_STARTED_QUERIES):
        response = owner_client.get(GET_STARTED, **HTMX)
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


# --- navigation from the sidebar registry ---------------------------------------------------------
def _nav(content: str) -> list[str]:
    sidebar = re.search(r'<aside class="sidebar">(.*?)</aside>', content, re.S).group(1)
    return re.findall(r"<span>([^<]+)</span></a>", sidebar)


@pytest.mark.django_db
def test_each_module_s_sidebar_entry_comes_in_its_order(viewer_client):
    content = viewer_client.get("/").content.decode()
    assert _nav(content) == [
        "Home",
        "Calendar",
        "Booking page",
        "Contacts",
        "Segments",
        "Feedback",
        "Campaigns",
        "Journeys",
        "Messages",
        "Loyalty",
        "Settings",
    ]
    assert set(sidebar_items) >= {
        "dashboard.home",
        "appointments.calendar",
        "contacts.contacts",
        "contacts.segments",
        "messaging.outbox",
        "accounts.settings",
    }


@pytest.mark.parametrize(
    ("client_name", "sees_it"),
    [("owner_client", True), ("manager_client", True), ("staff_client", False)],
)
@pytest.mark.django_db
def test_a_registered_sidebar_item_shows_from_its_role_up_and_marks_its_section(
    request, client_name, sees_it
):
    item = SidebarItem(
        id="probe.team",
        label=_("Team"),
        url_name="accounts:user_list",
        icon="contacts",
        section="accounts:user",
        order=45,
        min_role=Role.MANAGER,
    )
    client = request.getfixturevalue(client_name)
    with sidebar_items.override(item.id, item):
        content = client.get("/").content.decode()
        names = _nav(content)
        assert ("Team" in names) is sees_it
        if sees_it:
            assert names.index("Segments") < names.index("Team") < names.index("Messages")
            page = client.get("/settings/users/").content.decode()
            assert 'href="/settings/users/" class="nav__link is-current"' in page
            assert 'href="/settings/" class="nav__link is-current"' not in page
    assert "Team" not in _nav(client.get("/").content.decode())
