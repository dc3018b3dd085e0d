"""The bell at desktop and phone width: a new online booking, a cancellation and a text from a
customer reach the owner through a real run of the timeline subscribers; the badge shows three,
the dropdown lists them newest first, "Mark all read" empties the badge; the preferences page
shows the member's choices and saves them."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from apps.accounts.models import User
from apps.appointments.services import appointment_book, appointment_cancel
from apps.contacts import events
from apps.messaging.services.inbound import inbound_sms_receive
from apps.notifications.models import Notification, NotificationPreference
from tests.conftest import owner_email
from tests.e2e.helpers import log_in
from tests.helpers.clock import next_week_at
from tests.notifications.conftest import PHONE as CUSTOMER_PHONE
from tests.notifications.conftest import practice_make

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def told(committed_tenant):
    """Three notifications of the owner, made by the subscriber (committed; emptied after)."""
    owner = User.objects.get(email=owner_email("alpha"))
    practice = practice_make()
    appointment_book(
        service=practice.implant,
        starts_at=next_week_at(11),
        contact=practice.contact,
        source="online",
    )
    moved = appointment_book(
        service=practice.checkup,
        starts_at=next_week_at(10),
        contact=practice.contact,
        source="online",
    )
    appointment_cancel(appointment=moved, by_customer=True)
    inbound_sms_receive(from_number=CUSTOMER_PHONE, body="Can I bring my son along?")
    deadline = time.monotonic() + 30
    while Notification.objects.filter(user=owner).count() < 4 and time.monotonic() < deadline:
        events.timeline_subscribers_run()
        time.sleep(0.1)
    yield owner
    NotificationPreference.objects.filter(user=owner).delete()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_bell_shows_what_happened_and_the_member_chooses_what_to_hear(
    browser, live_server_port, told, screenshot, viewport
):
    width = "phone" if viewport is PHONE else "desktop"
    page = browser.new_context(viewport=viewport).new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, live_server_port)

    badge = page.locator(".bell__count")
    expect(badge).to_have_text("4")
    page.locator(".bell > summary").click()
    panel = page.locator(".bell__panel")
    panel.get_by_text("Reply received").wait_for()
    titles = panel.locator(".notif__title").all_inner_texts()
    assert [t.split("\n")[-1].removeprefix("Unread: ") for t in titles] == [
        "Reply received",
        "Cancelled by the customer",
        "New online booking",
        "Booking waiting for approval",
    ]
    assert panel.get_by_text("“Can I bring my son along?”").count() == 1
    page.mouse.move(0, 0)
    screenshot(page, f"{width}-notifications-bell")

    panel.get_by_role("button", name="Mark all read").click()
    expect(badge).to_have_count(0)
    expect(panel.locator(".notif--unread")).to_have_count(0)

    panel.get_by_role("link", name="See all").click()
    page.wait_for_url("**/notifications/")
    expect(page.locator(".notif")).to_have_count(4)
    screenshot(page, f"{width}-notifications-page")

    page.get_by_role("link", name="Choose what you are told of").click()
    page.wait_for_url("**/settings/preferences/#notifications")
    section = page.locator("#notifications")
    reply_email = section.get_by_label("Reply received: By e-mail")
    reply_email.wait_for()
    assert section.get_by_label("New online booking: By e-mail").is_checked()
    assert not reply_email.is_checked()
    reply_email.check()
    section.get_by_label("Cancellation: In the app").uncheck()
    section.get_by_role("button", name="Save notifications").click()
    section.get_by_text("Saved.").wait_for()
    assert page.locator("#notifications").get_by_label("Reply received: By e-mail").is_checked()
    screenshot(page, f"{width}-notifications-preferences")
    assert NotificationPreference.objects.get(user=told, kind="reply").email
    assert not NotificationPreference.objects.get(user=told, kind="cancelled").in_app
    assert errors == []
