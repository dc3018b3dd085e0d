"""What the customer's pages say after booking, on a phone and at desktop width: the
confirmation names the address it was e-mailed to, and the manage page gives the business's
phone, address, website and opening note (inside the notice window: "Please call us at …")."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from apps.appointments.models import AppointmentSettings
from apps.appointments.services import appointment_manage_url
from apps.tenants.middleware import tenant_cache_clear
from tests.appointments.factories import (
    AppointmentFactory,
    ServiceFactory,
    StaffMemberFactory,
    week_hours,
)

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
PROFILE = {
    "phone": "+493012345678",
    "address": "Hauptstraße 1\n10115 Berlin",
    "website": "https://alpha-dental.example",
    "opening_note": "Late opening on Thursdays until 8 pm.",
}


@pytest.fixture
def profiled(committed_tenant):
    """The business with its contact details (committed: put back afterwards)."""
    before = {name: getattr(committed_tenant, name) for name in PROFILE}
    for name, value in PROFILE.items():
        setattr(committed_tenant, name, value)
    committed_tenant.save()
    tenant_cache_clear()
    try:
        yield committed_tenant
    finally:
        for name, value in before.items():
            setattr(committed_tenant, name, value)
        committed_tenant.save()
        tenant_cache_clear()


@pytest.fixture
def practice(profiled):
    AppointmentSettings.objects.update_or_create(pk=1, defaults={"cancellation_notice_hours": 24})
    weber = StaffMemberFactory(name="Dr. Anna Weber", title="Dentist")
    week_hours(weber, dt.time(0), dt.time(23, 30))
    service = ServiceFactory(name="Check-up", staff=[weber], price=80, duration_minutes=30)
    return {"weber": weber, "service": service}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_confirmation_and_manage_pages_say_what_happened_and_how_to_call(
    browser, live_server_port, practice, screenshot, viewport, frozen_now
):
    width = "phone" if viewport is PHONE else "desktop"
    base = f"http://alpha.localhost:{live_server_port}"
    page = browser.new_context(viewport=viewport).new_page()
    service = practice["service"]
    page.goto(f"{base}/book/?service={service.pk}&staff=any")
    page.get_by_role("heading", name="Choose a day and time").wait_for()
    page.locator(".day-strip .day").nth(2).click()
    page.wait_for_url(re.compile(r"date="))
    page.locator(".time-slot").nth(20).click()
    page.get_by_role("heading", name="Your details").wait_for()
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Lovelace")
    page.get_by_label("Email").fill(f"ada-{width}@example.test")
    page.get_by_label("Mobile phone").fill("0151 23456789")
    page.get_by_role("button", name="Book this time").click()
    page.get_by_role("heading", name="You're booked").wait_for()
    assert page.get_by_text("We e-mailed you at a…@example.test").is_visible()
    assert page.get_by_role("link", name="030 12345678").is_visible()
    screenshot(page, f"{width}-told-1-confirmation")

    soon = AppointmentFactory(
        service=service,
        staff=practice["weber"],
        starts_at=timezone.now() + dt.timedelta(hours=3),
    )
    page.goto(appointment_manage_url(appointment=soon, base_url=base))
    page.get_by_role("heading", name="Your appointment").wait_for()
    call = page.locator('.booking-manage a[href="tel:+493012345678"]')
    assert call.is_visible() and call.inner_text() == "030 12345678"
    screenshot(page, f"{width}-told-2-manage-inside-notice")
