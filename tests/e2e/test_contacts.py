"""Find a contact by typing part of the name, open them, add a note and see it on the timeline:
at desktop and at phone width."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.accounts.models import User
from apps.contacts import services
from tests.appointments.factories import AppointmentFactory
from tests.conftest import owner_email
from tests.e2e.helpers import log_in

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def contacts(committed_tenant):
    """A few contacts the live server can see (committed; emptied after the test)."""
    owner = User.objects.get(email=owner_email("alpha"))
    people = [
        ("Marguerite", "Duras", "marguerite@example.test", "0151 23456789", ["vip"]),
        ("Albert", "Camus", "albert@example.test", "", []),
        ("Simone", "Weil", "simone@example.test", "", ["recall"]),
    ]
    created = {}
    for first, last, email, phone, tags in people:
        contact = services.contact_create(
            actor=owner,
            first_name=first,
            last_name=last,
            email=email,
            phone=phone,
            tags=tags,
            owner=owner,
        )
        created[first] = contact
    services.task_create(
        contact=created["Marguerite"],
        title="Call about the crown",
        due_date=None,
        assignee=owner,
        created_by=owner,
    )
    AppointmentFactory(  # on today's card, unless the day is nearly over
        contact=created["Albert"],
        service__name="Cleaning",
        staff__name="Dr. Klein",
        starts_at=(timezone.now() + dt.timedelta(minutes=10)).replace(second=0, microsecond=0),
    )
    AppointmentFactory(
        contact=created["Marguerite"],
        service__name="Crown fitting",
        staff__name="Dr. Weber",
        starts_at=(timezone.now() + dt.timedelta(days=2)).replace(
            minute=0, second=0, microsecond=0
        ),
    )
    return created


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_search_open_a_contact_and_add_a_note(
    browser, live_server_port, contacts, screenshot, viewport
):
    width = "phone" if viewport is PHONE else "desktop"
    page = browser.new_context(viewport=viewport).new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, live_server_port)
    page.get_by_role("link", name="Call about the crown").wait_for()  # the "My tasks" card
    expect(page.locator(".home-card--loading")).to_have_count(0)  # every card has loaded
    assert page.get_by_role("heading", name="Today's appointments").is_visible()
    assert page.get_by_role("heading", name="Get started").is_visible()
    screenshot(page, f"{width}-home-tasks")

    page.goto(f"http://alpha.localhost:{live_server_port}/contacts/")
    table = page.locator("#contact-table")
    assert table.get_by_role("link", name="Albert Camus").is_visible()
    screenshot(page, f"{width}-contacts-list")

    page.get_by_label("Search contacts").press_sequentially("margu", delay=40)
    table.get_by_role("link", name="Albert Camus").wait_for(state="detached")
    assert table.get_by_role("link", name="Marguerite Duras").is_visible()
    assert table.get_by_text("1 contact").is_visible()
    assert "q=margu" in page.url  # the search stays in the address bar
    screenshot(page, f"{width}-contacts-search")

    table.get_by_role("link", name="Marguerite Duras").click()
    page.wait_for_url(f"**/contacts/{contacts['Marguerite'].pk}/")
    assert page.get_by_role("heading", name="Marguerite Duras").is_visible()
    assert page.get_by_text("+49 1512 3456789").is_visible()
    panel = page.locator("#appointments-panel #appointments")  # loaded from appointments
    panel.get_by_text("Crown fitting").wait_for()
    assert panel.get_by_text("Nothing booked.").count() == 0

    page.get_by_label("Note").fill("Prefers appointments after 4 pm.")
    page.get_by_role("button", name="Add note").click()
    timeline = page.locator("#timeline")
    timeline.get_by_text("Prefers appointments after 4 pm.").wait_for()
    assert page.get_by_label("Note").input_value() == ""  # the form was cleared
    screenshot(page, f"{width}-contact-page")

    page.reload()  # it was stored, not just drawn
    assert page.locator("#timeline").get_by_text("Prefers appointments after 4 pm.").is_visible()
    assert errors == []


def test_build_a_segment_and_see_its_count(browser, live_server_port, contacts, screenshot):
    page = browser.new_context(viewport=DESKTOP).new_page()
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    log_in(page, live_server_port)
    page.locator(".sidebar").get_by_role("link", name="Segments").click()
    page.get_by_role("link", name="New segment").first.click()
    page.get_by_label("Name").first.fill("VIP patients")
    page.locator(".rule-row__field").first.select_option(label="Tag")
    page.locator(".rule-row__value").first.wait_for()
    page.locator(".rule-row__value").first.fill("vip")
    count = page.locator("#segment-count .segment-count-panel__number strong")
    count.filter(has_text="1").wait_for()
    assert page.locator("#segment-count").get_by_text("Marguerite Duras").is_visible()
    screenshot(page, "desktop-segment-builder")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/segments/*/")
    assert page.get_by_role("heading", name="VIP patients").is_visible()
    page.locator(".sidebar").get_by_role("link", name="Segments").click()
    expect(page.locator(".segment-table .segment-count").first).to_have_text("1")
    # the builder's live count is an htmx GET that includes the form: the token stays in the
    # header, never in a URL
    assert any("/segments/preview/" in url for url in urls)
    assert not [url for url in urls if "csrfmiddlewaretoken" in url]


def test_build_a_segment_from_an_appointments_condition(
    browser, live_server_port, contacts, screenshot
):
    page = browser.new_context(viewport=DESKTOP).new_page()
    log_in(page, live_server_port)
    page.goto(f"http://alpha.localhost:{live_server_port}/segments/new/")
    page.locator(".rule-row__field").first.select_option(label="Next appointment booked")
    value = page.locator("select.rule-row__value").first
    value.wait_for()
    value.select_option(label="yes")
    count = page.locator("#segment-count .segment-count-panel__number strong")
    count.filter(has_text="2").wait_for()  # Albert (today) and Marguerite (in two days)
    assert page.locator("#segment-count").get_by_text("Simone Weil").count() == 0
    value.select_option(label="no")
    count.filter(has_text="1").wait_for()
    assert page.locator("#segment-count").get_by_text("Simone Weil").is_visible()
    screenshot(page, "desktop-segment-appointments")
