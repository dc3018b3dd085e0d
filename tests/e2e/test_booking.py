"""A customer books online on a phone, gets the confirmation, opens the link from it and moves
the appointment to another day; the same at desktop width."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from apps.appointments.models import Appointment, AppointmentSettings
from tests.appointments.factories import ServiceFactory, StaffMemberFactory, week_hours
from tests.helpers.clock import days_ahead, local

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}


@pytest.fixture
def practice(committed_tenant):
    """Two dentists with long days and a check-up anyone can book (committed; emptied after)."""
    AppointmentSettings.objects.update_or_create(
        pk=1, defaults={"booking_intro": "Book your visit in under a minute."}
    )
    weber = StaffMemberFactory(name="Dr. Anna Weber", title="Dentist")
    klein = StaffMemberFactory(name="Dr. Jonas Klein", title="Dentist")
    for staff in (weber, klein):
        week_hours(staff, dt.time(8), dt.time(18))
    ServiceFactory(
        name="Check-up",
        description="Examination and advice",
        staff=[weber, klein],
        price=80,
        duration_minutes=30,
    )
    ServiceFactory(name="Cleaning", staff=[klein], price=95, duration_minutes=60)
    return {"weber": weber, "klein": klein}


def pick_day(page, index: int) -> None:
    """Click a day and wait until its times are the ones shown."""
    day = page.locator(".day-strip .day").nth(index)
    href = day.get_attribute("href")
    day.click()
    page.locator(f'.day-strip .day.is-selected[href="{href}"]').wait_for()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_book_online_then_reschedule_through_the_link(
    browser, live_server_port, practice, screenshot, viewport, frozen_now
):
    """At 07:00 (the live server shares the clock) the second day of the strip is tomorrow,
    so the booking is more than the 24 hours ahead the link needs to move it."""
    width = "phone" if viewport is PHONE else "desktop"
    base = f"http://alpha.localhost:{live_server_port}"
    page = browser.new_context(viewport=viewport).new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{base}/book/")
    assert page.get_by_text("Book your visit in under a minute.").is_visible()
    screenshot(page, f"{width}-book-1-services")
    page.get_by_role("link", name=re.compile("Check-up")).click()

    page.get_by_role("heading", name="Who would you like to see?").wait_for()
    screenshot(page, f"{width}-book-2-staff")
    page.get_by_role("link", name=re.compile("Anyone available")).click()

    page.get_by_role("heading", name="Choose a day and time").wait_for()
    pick_day(page, 1)  # htmx swaps the picker and keeps the address
    page.wait_for_url(re.compile(r"date="))
    screenshot(page, f"{width}-book-3-times")
    slot = page.locator(".time-slot").nth(2)
    first_time = slot.inner_text()
    slot.click()

    page.get_by_role("heading", name="Your details").wait_for()
    page.get_by_role("button", name="Book this time").click()  # nothing filled in yet
    page.locator(".errors").first.wait_for()
    assert page.get_by_text("Please give your first name.").is_visible()
    screenshot(page, f"{width}-book-4-details-errors")
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Lovelace")
    page.get_by_label("Email").fill(f"ada-{width}@example.test")
    page.get_by_label("Mobile phone").fill("0151 23456789")
    page.get_by_label("Text me reminders").check()
    page.get_by_role("button", name="Book this time").click()

    page.get_by_role("heading", name="You're booked").wait_for()
    assert page.get_by_text(f"{first_time} Central European Time (Berlin)").is_visible()
    assert page.get_by_role("link", name="Add to calendar").is_visible()
    screenshot(page, f"{width}-book-5-confirmation")
    manage_url = page.get_by_role("link", name="Change or cancel").get_attribute("href")
    assert manage_url and "/book/manage/" in manage_url

    page.goto(f"{base}{manage_url}")  # as from the confirmation message
    page.get_by_role("heading", name="Your appointment").wait_for()
    screenshot(page, f"{width}-book-6-manage")
    page.get_by_role("link", name="Reschedule").click()

    page.get_by_role("heading", name="Move your appointment").wait_for()
    pick_day(page, 2)
    screenshot(page, f"{width}-book-7-reschedule")
    new_slot = page.locator(".time-slot").nth(4)
    new_time = new_slot.inner_text()
    new_slot.click()
    page.get_by_role("heading", name="Move to this time?").wait_for()
    screenshot(page, f"{width}-book-8-reschedule-confirm")
    page.get_by_role("button", name="Yes, move my appointment").click()

    page.get_by_text("Your appointment is moved.").wait_for()
    assert page.get_by_text(f"{new_time} Central European Time (Berlin)").is_visible()
    screenshot(page, f"{width}-book-9-moved")
    appointment = Appointment.objects.get(contact__email=f"ada-{width}@example.test")
    assert appointment.reschedule_count == 1 and appointment.source == "online"
    # the empty form was answered with 400 on purpose; nothing else may complain
    assert [e for e in errors if "status of 400" not in e] == []


def test_waitlist_cancel_and_the_friendly_pages_at_phone_width(
    browser, live_server_port, practice, screenshot
):
    from apps.appointments.services import appointment_book, appointment_manage_url
    from tests.contacts.factories import ContactFactory

    base = f"http://alpha.localhost:{live_server_port}"
    page = browser.new_context(viewport=PHONE).new_page()
    later = ServiceFactory(
        name="Implant consultation", staff=[practice["weber"]], min_notice_minutes=60 * 24 * 21
    )
    page.goto(f"{base}/book/?service={later.pk}&staff=any")
    page.get_by_text("There are no free times in these days.").wait_for()
    screenshot(page, "phone-book-no-times")
    page.get_by_role("link", name="Join the waitlist").click()
    page.get_by_label("First name").fill("Grace")
    page.get_by_label("Last name").fill("Hopper")
    page.get_by_label("Email").fill("grace@example.test")
    page.get_by_label("Mobile phone").fill("0151 98765432")
    screenshot(page, "phone-book-waitlist-form")
    page.get_by_role("button", name="Join the waitlist").click()
    page.get_by_role("heading", name="You're on the waitlist").wait_for()
    screenshot(page, "phone-book-waitlist-joined")

    appointment = appointment_book(
        service=later,
        contact=ContactFactory(),
        notify=False,
        staff=practice["weber"],
        starts_at=local(days_ahead(3), 10),  # the front desk may book inside the notice
    )
    page.goto(appointment_manage_url(appointment=appointment, base_url=base))
    page.get_by_role("link", name="Cancel appointment").click()
    page.get_by_role("heading", name="Cancel this appointment?").wait_for()
    screenshot(page, "phone-book-cancel-confirm")
    page.get_by_role("button", name="Yes, cancel it").click()
    page.get_by_text("This appointment is cancelled.").wait_for()
    assert page.get_by_role("link", name="Book a new appointment").is_visible()
    screenshot(page, "phone-book-cancelled")

    page.goto(f"{base}/book/manage/not-a-real-link/")
    page.get_by_role("heading", name="We could not find this appointment").wait_for()
    screenshot(page, "phone-book-invalid-link")
    AppointmentSettings.objects.filter(pk=1).update(online_booking=False)
    page.goto(f"{base}/book/")
    page.get_by_role("heading", name="Online booking is closed").wait_for()
    screenshot(page, "phone-book-closed")
