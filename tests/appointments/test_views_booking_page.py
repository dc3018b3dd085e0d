"""Getting the booking page out: the set-up checklist on Home in each of its states (on a
business just signed up, not only the fixtures), the booking page's link card, its own page,
the QR code, the two ways the last step ticks itself, framing of the public pages, roles, the
outsider and the query counts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.appointments.models import AppointmentSettings, Service
from apps.appointments.selectors.setup import services_bookable_online
from apps.appointments.services import appointment_settings
from apps.appointments.services import setup as services
from apps.tenants.services import tenant_create
from tests.appointments.factories import (
    HoursOverrideFactory,
    ServiceFactory,
    StaffMemberFactory,
    week_hours,
)
from tests.conftest import PASSWORD, alpha, host_of, logged_in
from tests.helpers.clock import BERLIN, days_ahead

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
SETUP = "/appointments/home/setup/"
LINK = "/appointments/home/booking-link/"
SHARE = "/appointments/booking-page/"
OPEN = "/appointments/booking-page/open/"
COPIED = "/appointments/booking-page/copied/"
QR = "/appointments/booking-page/qr.svg"
DISMISS = "/appointments/home/setup/dismiss/"
# Pinned for a test's first request (cold host cache): search_path twice and the host lookup,
# session, user; then the settings row, the first staff member (with hours?) and the first
# service (performable?)
SETUP_QUERIES = 8
LINK_QUERIES = 6  # ... and the settings row (is the page open?)


def _done_steps(content: str) -> list[str]:
    steps = re.findall(r'<li class="steps__item( is-done)?">\s*<div><strong>([^<]+)', content)
    return [title for done, title in steps if done]


def _checklist(client) -> str:
    response = client.get(SETUP, **HTMX)
    assert response.status_code == 200
    return response.content.decode()


# --- the checklist, step by step, on a business that just signed up ------------------------------
@pytest.fixture
def new_business() -> Client:
    """A salon signed up through tenant_create a moment ago: nothing set up, the owner logged in."""
    tenant = tenant_create(
        name="Gamma Salon",
        slug="gamma",
        owner_name="Gia Owner",
        owner_email="gia@gamma.test",
        owner_password=PASSWORD,
        time_zone="Europe/Paris",
        country="FR",
    )
    client = Client(HTTP_HOST="gamma.localhost")
    with schema_context(tenant.schema_name):
        client.force_login(User.objects.get(email="gia@gamma.test"))
    return client


def test_the_checklist_follows_a_new_business_from_nothing_to_done(new_business):
    client = new_business
    # brand-new: nothing ticked; step 1 starts with adding who takes the bookings
    content = _checklist(client)
    assert 'id="home-appointments-setup"' in content
    assert _done_steps(content) == []
    assert "0 of 3 done" in content
    assert 'href="/appointments/setup/staff/new/"' in content
    assert 'href="/appointments/setup/services/new/"' in content

    # the first staff member, then their hours through the hours form
    response = client.post(
        "/appointments/setup/staff/new/",
        {"name": "Gia", "color": "#aa00aa", "bookable_online": "on", "active": "on", "position": 0},
    )
    assert response.status_code == 302
    staff_url = response.url
    content = _checklist(client)
    assert _done_steps(content) == []
    assert f'href="{staff_url}#hours"' in content
    response = client.post(
        f"{staff_url}hours/",
        {
            f"{day}_{row}_{part}": value
            for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
            for row, part, value in (
                (0, "start", "09:00"),
                (0, "end", "12:00"),
                (1, "start", "13:00"),
                (1, "end", "18:00"),
            )
        },
    )
    assert response.status_code == 302
    assert _done_steps(_checklist(client)) == ["Set your opening hours"]

    # the first service: its form has the only staff member ticked already
    form = client.get("/appointments/setup/services/new/").content.decode()
    ticked = re.findall(r'<input type="checkbox" name="staff" value="(\d+)"[^>]*checked', form)
    assert len(ticked) == 1 and staff_url.rstrip("/").endswith(ticked[0])
    response = client.post(
        "/appointments/setup/services/new/",
        {
            "name": "Haircut",
            "duration_minutes": 45,
            "price": "35",
            "buffer_before_minutes": 0,
            "buffer_after_minutes": 0,
            "step_minutes": 15,
            "min_notice_minutes": 60,
            "horizon_days": 60,
            "online": "on",
            "staff": ticked,
            "color": "#0ea5e9",
            "active": "on",
            "position": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    content = _checklist(client)
    assert _done_steps(content) == ["Set your opening hours", "Add your first service"]
    assert "2 of 3 done" in content
    # the booking page agrees: the service is offered
    assert "Haircut" in Client(HTTP_HOST="gamma.localhost").get("/book/").content.decode()

    # copying the link from Home is the last step: the card is done and gone
    response = client.post(COPIED, **HTMX)
    assert response.status_code == 204 and response["HX-Trigger"] == "booking-link-shared"
    response = client.get(SETUP, **HTMX)
    assert response.status_code == 200 and response.content == b""


def test_opening_the_booking_page_from_home_ticks_the_last_step(owner_client):
    with alpha():
        person = StaffMemberFactory()
        week_hours(person)
        ServiceFactory(staff=[person])
    assert _done_steps(_checklist(owner_client)) == [
        "Set your opening hours",
        "Add your first service",
    ]
    response = owner_client.get(OPEN)
    assert response.status_code == 302 and response.url == "http://alpha.localhost/book/"
    with alpha():
        first = AppointmentSettings.objects.get().booking_page_shared_at
    assert first is not None
    assert owner_client.get(SETUP, **HTMX).content == b""
    owner_client.get(OPEN)  # the first time counts
    with alpha():
        assert AppointmentSettings.objects.get().booking_page_shared_at == first


def test_sharing_first_ticks_only_the_last_step(owner_client):
    owner_client.post(COPIED, **HTMX)
    content = _checklist(owner_client)
    assert _done_steps(content) == ["See and share your booking page"]


def test_a_service_whose_only_performer_has_no_hours_does_not_tick_step_two(owner_client):
    with alpha():
        with_hours = StaffMemberFactory()
        week_hours(with_hours)
        service = ServiceFactory(staff=[StaffMemberFactory()])
    content = _checklist(owner_client)
    assert _done_steps(content) == ["Set your opening hours"]
    assert "Nobody with opening hours performs your services yet." in content
    assert 'href="/appointments/setup/services/">Fix it' in content
    with alpha():
        service.staff.add(with_hours)
    assert "Add your first service" in _done_steps(_checklist(owner_client))


def test_the_checklist_can_be_put_away(owner_client):
    response = owner_client.post(DISMISS)
    assert response.status_code == 302 and response.url == "/"
    assert owner_client.get(SETUP, **HTMX).content == b""
    assert owner_client.post(DISMISS, **HTMX).content == b""  # again: no harm


@pytest.mark.parametrize(
    ("client_name", "status"),
    [("owner_client", 200), ("manager_client", 200), ("staff_client", 403), ("viewer_client", 403)],
)
def test_the_checklist_is_for_managers(request, client_name, status):
    client = request.getfixturevalue(client_name)
    assert client.get(SETUP, **HTMX).status_code == status
    assert client.post(DISMISS).status_code == (302 if status == 200 else 403)


def test_the_checklist_query_count_does_not_grow_with_the_business(
    owner_client, django_assert_max_num_queries
):
    with alpha():
        appointment_settings()  # made on first use, once
        people = StaffMemberFactory.create_batch(15)
        for person in people[3:]:
            week_hours(person)
        for n in range(15):
            ServiceFactory(staff=people[: n % 6])
    with django_assert_max_num_queries(SETUP_QUERIES):
        content = owner_client.get(SETUP, **HTMX).content.decode()
    assert _done_steps(content) == ["Set your opening hours", "Add your first service"]


def test_home_itself_stays_cheap_with_the_new_cards(owner_client, django_assert_max_num_queries):
    with alpha():
        StaffMemberFactory.create_batch(10)
        ServiceFactory.create_batch(10)
    with django_assert_max_num_queries(6):  # the cards load on their own; 1: the test-mode banner
        content = owner_client.get("/").content.decode()
    assert 'id="home-appointments-setup"' in content
    assert 'id="home-appointments-booking-link"' in content


# --- the booking link on Home, its page, the QR code ---------------------------------------------
@pytest.mark.parametrize("client_name", ["owner_client", "viewer_client"])
def test_the_booking_link_card_has_the_link_a_copy_button_and_the_qr_code(
    request, client_name, django_assert_max_num_queries
):
    client = request.getfixturevalue(client_name)
    with alpha():
        appointment_settings()  # made on first use, once
    with django_assert_max_num_queries(LINK_QUERIES):
        response = client.get(LINK, **HTMX)
    content = response.content.decode()
    assert response.status_code == 200 and "<!doctype" not in content
    assert 'value="http://alpha.localhost/book/" readonly' in content
    assert (
        'data-copy="home-booking-link"' in content
        and 'hx-post="/appointments/booking-page/copied/"' in content
    )
    assert f'href="{OPEN}" target="_blank"' in content
    assert f'<img src="{QR}"' in content


def test_the_share_page_offers_the_link_the_qr_code_and_both_snippets(viewer_client):
    content = viewer_client.get(SHARE).content.decode()
    assert 'value="http://alpha.localhost/book/"' in content
    assert f'href="{QR}?download=1"' in content
    assert '&lt;iframe src="http://alpha.localhost/book/" title=' in content
    assert "Book an appointment with Alpha Dental" in content
    assert '&lt;a href="http://alpha.localhost/book/" target="_blank"' in content
    assert 'aria-current="page"' in content  # the sidebar's "Booking page"


def _svg(client) -> bytes:
    response = client.get(QR)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "private" in response["Cache-Control"] and "max-age=86400" in response["Cache-Control"]
    root = ET.fromstring(response.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.find("{http://www.w3.org/2000/svg}path") is not None  # the modules
    return response.content


def test_the_qr_code_is_an_svg_of_each_business_s_own_address(owner_client, outsider, other_tenant):
    beta_client = logged_in(Client(HTTP_HOST=host_of(other_tenant)), outsider, other_tenant)
    ours, theirs = _svg(owner_client), _svg(beta_client)
    assert ours != theirs  # the address differs by the business's sub-domain
    assert _svg(owner_client) == ours  # the same address, the same code (cached)
    download = owner_client.get(f"{QR}?download=1")
    assert download["Content-Disposition"] == 'attachment; filename="booking-page-qr.svg"'


@pytest.mark.parametrize("path", [LINK, SETUP, SHARE, QR, OPEN])
def test_the_outsider_and_anonymous_are_sent_to_log_in(outsider_client, tenant_client, path):
    for client in (outsider_client, tenant_client):
        response = client.get(path, **HTMX)
        assert response.status_code == 302 and response.url.startswith("/login/")
    for path in (COPIED, DISMISS):
        assert tenant_client.post(path).status_code == 302
        assert outsider_client.post(path).status_code == 302
    with alpha():
        row = AppointmentSettings.objects.first()
        assert row is None or (row.booking_page_shared_at, row.setup_checklist_dismissed_at) == (
            None,
            None,
        )


# --- framing: the booking pages may sit in a website, staff pages may not ------------------------
def test_the_booking_page_may_be_framed_by_any_site_and_staff_pages_by_none(
    owner_client, tenant_client
):
    public = tenant_client.get("/book/")
    assert public.status_code == 200
    assert "X-Frame-Options" not in public
    assert "frame-ancestors *" in public["Content-Security-Policy"]
    for response in (owner_client.get(SHARE), owner_client.get("/appointments/setup/services/")):
        assert response["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


# --- a service nobody can perform -----------------------------------------------------------------
def test_a_service_nobody_can_perform_is_flagged_and_not_on_the_booking_page(
    owner_client, tenant_client
):
    with alpha():
        nobody = ServiceFactory(name="Whitening", online=True)
        no_hours = StaffMemberFactory(name="Dr. Later")
        unstaffed_hours = ServiceFactory(name="Implant", online=True, staff=[no_hours])
        working = StaffMemberFactory(name="Dr. Now")
        week_hours(working)
        ServiceFactory(name="Check-up", online=True, staff=[working])
    content = owner_client.get("/appointments/setup/services/").content.decode()
    rows = dict(
        re.findall(
            r'<a href="/appointments/setup/services/\d+/">([^<]+)</a>(.*?)</tr>', content, re.S
        )
    )
    assert "Not bookable: no one performs it" in rows["Whitening"]
    assert (
        f'href="/appointments/setup/services/{nobody.pk}/">Choose who performs it'
        in rows["Whitening"]
    )
    assert ">online<" not in rows["Whitening"]
    assert "Not bookable: no one performs it" in rows["Implant"]
    assert (
        f'href="/appointments/setup/staff/{no_hours.pk}/#hours">Set Dr. Later&#x27;s hours'
        in rows["Implant"]
    )
    assert ">online<" in rows["Check-up"] and "Not bookable" not in rows["Check-up"]

    booking = tenant_client.get("/book/").content.decode()
    assert "Check-up" in booking and "Whitening" not in booking and "Implant" not in booking
    assert (
        tenant_client.get(f"/book/?service={unstaffed_hours.pk}").content.decode().count("Implant")
        == 0
    )

    with alpha():  # hours make it bookable, on both pages
        week_hours(no_hours, days=[2])
    assert "Implant" in tenant_client.get("/book/").content.decode()
    content = owner_client.get("/appointments/setup/services/").content.decode()
    assert content.count("Not bookable: no one performs it") == 1


def test_the_only_staff_member_is_given_to_a_new_service_unless_told_otherwise(tenant):
    only = StaffMemberFactory()
    StaffMemberFactory(active=False)
    service = services.service_create(name="Cleaning", duration_minutes=30)
    assert list(service.staff.all()) == [only]
    assert list(services.service_create(name="Consult", staff=[]).staff.all()) == []
    StaffMemberFactory()
    assert list(services.service_create(name="X-ray").staff.all()) == []
    assert Service.objects.count() == 3


def test_one_off_hours_from_today_on_count_as_hours(tenant):
    person = StaffMemberFactory()
    service = ServiceFactory(staff=[person])
    assert service not in services_bookable_online()
    HoursOverrideFactory(staff=person, date=days_ahead(-3, BERLIN))
    assert service not in services_bookable_online()
    HoursOverrideFactory(staff=person, date=days_ahead(3, BERLIN))
    assert service in services_bookable_online()
