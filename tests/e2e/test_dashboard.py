"""Home's analytics in Chromium: the owner logs in, the widgets load on their own, a shorter
period is chosen (the address keeps it), one widget's figures are downloaded as CSV; the page
is looked at on a desktop (1280 px) and a phone (390 px)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.contacts.factories import ContactFactory, TimelineEventFactory
from tests.e2e.helpers import DESKTOP, PHONE, log_in
from tests.helpers.clock import local, today

pytestmark = pytest.mark.e2e

WIDGET = "#widget-dashboard-activity"


@pytest.fixture
def activity(committed_tenant):
    """Some timeline events on most of the last 60 days."""
    contacts = ContactFactory.create_batch(5)
    start = today()
    for back in range(60):
        if back % 7 == 3:
            continue
        day = start - dt.timedelta(days=back)
        for number in range(1 + (back * 7) % 5):
            TimelineEventFactory(contact=contacts[number], occurred_at=local(day, 9 + number))


def _open_home(browser, port, viewport):
    page = browser.new_context(viewport=viewport, accept_downloads=True).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, port)
    page.locator(f"{WIDGET} svg").wait_for()
    return page, errors


def test_home_loads_the_widgets_changes_the_period_and_downloads_a_csv(
    browser, live_server_port, activity, screenshot, tmp_path
):
    page, errors = _open_home(browser, live_server_port, DESKTOP)
    widget = page.locator(WIDGET)
    assert page.get_by_role("heading", name="How the business is doing").is_visible()
    # every module's widget comes in on its own; each placeholder is swapped for its figures
    page.wait_for_function("document.querySelectorAll('.widget--loading').length === 0")
    assert page.locator(".widget").count() >= 9
    assert widget.get_by_role("img").get_attribute("aria-label").endswith("30 days")
    screenshot(page, "dashboard-home-desktop")

    page.get_by_role("link", name="7 days").click()
    page.wait_for_url("**/?period=7d")
    page.locator(f"{WIDGET} svg[aria-label$='7 days']").wait_for()
    assert page.locator(".periods__link[aria-current]").inner_text() == "7 days"
    assert "Loading" not in widget.inner_text()

    with page.expect_download() as info:
        widget.get_by_role("link", name="Download CSV").click()
    download = info.value
    first = today() - dt.timedelta(days=6)
    assert download.suggested_filename == (
        f"alpha-dental-dashboard-activity-{first.isoformat()}-{today().isoformat()}.csv"
    )
    path = tmp_path / "activity.csv"
    download.save_as(path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "Day,Events" and len(lines) == 8
    assert errors == []


def test_home_reads_on_a_phone(browser, live_server_port, activity, screenshot):
    page, errors = _open_home(browser, live_server_port, PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"Home scrolls sideways ({width}px)"
    box = page.locator(f"{WIDGET} svg").bounding_box()
    assert box and box["width"] <= PHONE["width"]
    screenshot(page, "dashboard-home-phone")
    assert errors == []
