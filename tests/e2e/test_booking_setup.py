"""A business just signed up follows the booking set-up checklist on Home in Chromium, at
desktop and phone width: its first staff member and their hours (two intervals, copied from
Monday to the other weekdays by the script), a first service with them ticked, the services
list, the booking page's link card; copying the link ticks the last step and the card goes."""

import re

import pytest
from django.db import connection

from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
PASSWORD = "set-up-and-share-42"


@pytest.fixture
def new_business(django_db_blocker):
    slugs: list[str] = []

    def make(slug: str) -> str:
        with django_db_blocker.unblock():
            connection.set_schema_to_public()
            tenant_create(
                name="Sunny Cuts",
                slug=slug,
                owner_name="Lena Hart",
                owner_email=f"lena@{slug}.example",
                owner_password=PASSWORD,
                time_zone="Europe/London",
                country="GB",
            )
        slugs.append(slug)
        return slug

    yield make
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        for tenant in Tenant.objects.filter(slug__in=slugs):
            tenant.delete(force_drop=True)


@pytest.mark.parametrize(("viewport", "slug"), [(DESKTOP, "sunny-desk"), (PHONE, "sunny-phone")])
def test_a_new_business_follows_the_checklist_to_a_shared_booking_page(
    browser, live_server_port, new_business, screenshot, viewport, slug
):
    new_business(slug)
    width = "phone" if viewport is PHONE else "desktop"
    base = f"http://{slug}.localhost:{live_server_port}"
    context = browser.new_context(viewport=viewport)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    page.goto(f"{base}/login/")
    page.get_by_label("Email").fill(f"lena@{slug}.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")
    checklist = page.locator("#home-appointments-setup")
    checklist.get_by_text("0 of 3 done").wait_for()
    page.locator("#home-appointments-booking-link input").wait_for()
    screenshot(page, f"{width}-setup-home-new")

    # step 1: the first staff member and their hours
    checklist.get_by_role("link", name="Add a staff member").click()
    page.get_by_label("Name", exact=True).fill("Lena Hart")
    page.get_by_role("button", name="Save", exact=True).click()
    editor = page.locator("#hours")
    monday = editor.locator('[data-day="monday"]')
    monday.get_by_label("Monday, from (1)").fill("09:00")
    monday.get_by_label("Monday, until (1)").fill("12:30")
    assert monday.get_by_label("Monday, from (2)").is_hidden()  # one row until asked for more
    monday.get_by_role("button", name="Add an interval").click()
    monday.get_by_label("Monday, from (2)").fill("13:30")
    monday.get_by_label("Monday, until (2)").fill("18:00")
    editor.get_by_role("button", name="Tue–Fri").click()
    assert editor.get_by_label("Friday, until (2)").input_value() == "18:00"
    assert editor.get_by_label("Saturday, from (1)").input_value() == ""
    editor.get_by_text("Copied. Check the days and save.").wait_for()
    screenshot(page, f"{width}-setup-hours-editor")
    editor.get_by_role("button", name="Save hours").click()
    page.get_by_text("weekly hours are saved").wait_for()
    assert page.locator("#hours").get_by_label("Thursday, from (2)").input_value() == "13:30"

    # step 2: a first service, the only staff member ticked already
    page.goto(f"{base}/")
    checklist.get_by_text("1 of 3 done").wait_for()
    checklist.get_by_role("link", name="Add a service").click()
    assert page.get_by_role("checkbox", name="Lena Hart").is_checked()
    page.get_by_label("Name", exact=True).fill("Haircut")
    page.get_by_label("Duration", exact=False).first.fill("45")
    page.get_by_role("button", name=re.compile("^Save")).first.click()
    page.wait_for_url(f"{base}/appointments/setup/services/")
    assert page.get_by_text("online", exact=True).is_visible()
    # a service left without anybody is flagged, with the way to fix it
    page.get_by_role("link", name="New service").click()
    page.get_by_label("Name", exact=True).fill("Colour and cut")
    page.get_by_role("checkbox", name="Lena Hart").uncheck()
    page.get_by_role("button", name=re.compile("^Save")).first.click()
    page.wait_for_url(f"{base}/appointments/setup/services/")
    flag = page.get_by_text("Not bookable: no one performs it")
    assert (
        flag.is_visible() and page.get_by_role("link", name="Choose who performs it").is_visible()
    )
    screenshot(page, f"{width}-setup-services")

    # step 3: copy the link from Home; the checklist ticks itself and goes
    page.goto(f"{base}/")
    checklist.get_by_text("2 of 3 done").wait_for()
    screenshot(page, f"{width}-setup-home-two-done")
    link_card = page.locator("#home-appointments-booking-link")
    assert link_card.locator("input").input_value() == f"{base}/book/"
    link_card.get_by_role("button", name="Copy link").click()
    link_card.get_by_role("button", name="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == f"{base}/book/"
    checklist.wait_for(state="detached")
    screenshot(page, f"{width}-setup-home-done")

    page.goto(f"{base}/appointments/booking-page/")
    assert page.locator(".share-qr img").evaluate("img => img.naturalWidth") > 0
    screenshot(page, f"{width}-setup-share")
    page.goto(f"{base}/book/")
    assert page.get_by_text("Haircut").first.is_visible()
    assert page.get_by_text("Colour and cut").count() == 0
    assert errors == []
