"""The front desk in Chromium at phone and desktop width: the practice's week as a time grid
(seven columns side by side at 1280 px), the appointment window of a future and a past
visit, and a no-show that is asked once more in the window before it counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from apps.appointments.models import Appointment
from apps.contacts.models import Contact
from tests.appointments.factories import (
    AppointmentFactory,
    ServiceFactory,
    StaffMemberFactory,
    week_hours,
)
from tests.contacts.factories import ContactFactory
from tests.e2e.helpers import log_in
from tests.helpers.clock import days_ahead, local, weekday_ahead

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}


@pytest.fixture
def desk(committed_tenant):
    """Two dentists, a week of bookings next week (some at the same time) and a visit two
    days ago that nobody recorded yet (committed; emptied after)."""
    anna = StaffMemberFactory(name="Dr. Anna Weber", title="Dentist", color="#2563eb")
    jonas = StaffMemberFactory(name="Dr. Jonas Klein", title="Hygienist", color="#db2777")
    for person in (anna, jonas):
        week_hours(person, dt.time(8), dt.time(17), days=range(5))
    checkup = ServiceFactory(name="Check-up", staff=[anna, jonas], duration_minutes=30)
    cleaning = ServiceFactory(name="Cleaning", staff=[jonas], duration_minutes=60)
    monday = weekday_ahead(0)
    names = ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Emmy Noether", "Marie Curie"]
    people = [ContactFactory(first_name=n.split()[0], last_name=n.split()[1]) for n in names]
    plan = [  # (day, hour, minute, staff, service, contact)
        (0, 9, 0, anna, checkup, 0),
        (0, 9, 0, jonas, cleaning, 1),
        (0, 11, 30, anna, checkup, 2),
        (1, 10, 0, jonas, cleaning, 3),
        (2, 8, 30, anna, checkup, 4),
        (2, 14, 0, anna, checkup, 0),
        (2, 14, 15, jonas, checkup, 1),
        (3, 16, 0, jonas, cleaning, 2),
        (4, 12, 0, anna, checkup, 3),
    ]
    future = [
        AppointmentFactory(
            contact=people[who],
            staff=staff,
            service=service,
            starts_at=local(monday + dt.timedelta(days=day), hour, minute),
        )
        for day, hour, minute, staff, service, who in plan
    ]
    past = AppointmentFactory(
        contact=ContactFactory(first_name="Rosalind", last_name="Franklin"),
        staff=anna,
        service=checkup,
        starts_at=local(days_ahead(-2), 10),
    )
    return {"monday": monday, "future": future[0], "past": past}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_week_grid_and_the_appointment_window_past_and_future(
    browser, live_server_port, desk, screenshot, viewport
):
    width = "phone" if viewport is PHONE else "desktop"
    base = f"http://alpha.localhost:{live_server_port}"
    page = browser.new_context(viewport=viewport).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, live_server_port)

    page.goto(f"{base}/appointments/?date={desk['monday']}&view=week")
    page.locator("#calendar").wait_for()
    screenshot(page, f"{width}-desk-1-week")
    columns = page.locator(".cal__col")
    assert columns.count() == 7
    if viewport is DESKTOP:  # seven columns side by side on one row, none wrapped
        boxes = [columns.nth(n).bounding_box() for n in range(7)]
        assert len({round(box["y"]) for box in boxes}) == 1
        assert all(boxes[n]["x"] < boxes[n + 1]["x"] for n in range(6))
        assert boxes[6]["x"] + boxes[6]["width"] <= viewport["width"]
        # the two at 09:00 on Monday sit side by side, the one at 11:30 below them
        first = page.get_by_role("link", name=re.compile("Ada Lovelace")).first.bounding_box()
        second = page.get_by_role("link", name=re.compile("Grace Hopper")).first.bounding_box()
        assert abs(first["y"] - second["y"]) < 2 and first["x"] != second["x"]

    # a future appointment: confirm, move and cancel are offered
    page.get_by_role("link", name=re.compile("Ada Lovelace")).first.click()
    dialog = page.locator("#appt-modal")
    dialog.get_by_role("button", name="Confirm").wait_for()
    assert dialog.get_by_role("link", name="Move").is_visible()
    assert dialog.get_by_text("Cancel the appointment").is_visible()
    screenshot(page, f"{width}-desk-2-future-window")
    page.keyboard.press("Escape")

    # a past one: only what the visit was; a no-show asks once more, in the window
    past = desk["past"]
    page.goto(f"{base}/appointments/?date={past.starts_at.date()}")
    page.get_by_role("link", name=re.compile("Rosalind Franklin")).first.click()
    dialog.get_by_role("button", name="Complete").wait_for()
    assert dialog.get_by_role("button", name="Confirm").count() == 0
    assert dialog.get_by_role("link", name="Move").count() == 0
    assert dialog.get_by_text("Cancel the appointment").count() == 0
    screenshot(page, f"{width}-desk-3-past-window")
    dialog.get_by_role("button", name=re.compile("No-show")).click()
    confirm = dialog.get_by_role("button", name="Yes, mark as no-show")
    confirm.wait_for()
    screenshot(page, f"{width}-desk-4-no-show-confirm")
    assert Appointment.objects.get(pk=past.pk).status == "booked"  # nothing counted yet
    confirm.focus()
    page.keyboard.press("Enter")  # no mouse needed
    page.wait_for_url(re.compile(r"/appointments/"))
    page.locator("#calendar").wait_for()
    page.wait_for_function(
        "() => document.querySelector('.cal__appt--no-show') !== null", timeout=10_000
    )
    assert Appointment.objects.get(pk=past.pk).status == "no_show"
    assert Contact.objects.get(pk=past.contact_id).no_shows == 1
    assert not errors, errors
