"""A campaign from start to end in the browser: written for a segment with the block editor,
previewed at phone width, sent, and the progress bar followed (htmx polling) to the end. The
due work the worker would run is run by the test, in the background of the page."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from playwright.sync_api import expect

from apps.campaigns.models import Campaign
from apps.scheduling.services import due_work_sweep
from apps.tenants.models import Tenant
from tests.campaigns.factories import MarketingContactFactory, static_list
from tests.e2e.helpers import DESKTOP, PHONE, log_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def audience(committed_tenant):
    people = MarketingContactFactory.create_batch(12)
    return static_list(people, name="Spring newsletter list")


def test_write_preview_send_and_watch_the_progress(browser, live_server_port, audience, screenshot):
    base = f"http://alpha.localhost:{live_server_port}"
    page = browser.new_context(viewport=DESKTOP).new_page()
    log_in(page, live_server_port)
    page.get_by_role("link", name="Campaigns").first.click()
    screenshot(page, "campaigns-list-desktop")
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Campaign name").fill("Spring newsletter")
    page.get_by_label("Spring newsletter list").first.check()
    page.get_by_label("Subject").fill("Spring is here")
    page.locator("#id_blocks-0-text").fill("Spring at the practice")
    page.locator("#id_blocks-1-text").fill("New hours and a new hygienist.")
    page.locator("#id_blocks-2-text").fill("Book a visit")
    page.locator("#id_blocks-2-url").fill("https://example.test/book")
    page.get_by_role("button", name="Save and preview").click()
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    frame = page.frame_locator("iframe[title='Phone preview A']")
    expect(frame.get_by_role("heading", name="Spring at the practice")).to_be_visible()
    screenshot(page, "campaigns-editor-desktop")
    campaign = Campaign.objects.get(name="Spring newsletter")

    phone = browser.new_context(viewport=PHONE).new_page()
    log_in(phone, live_server_port)
    phone.goto(f"{base}/campaigns/{campaign.pk}/")
    phone_frame = phone.frame_locator("iframe[title='Phone preview A']")
    expect(phone_frame.get_by_role("link", name="Book a visit")).to_be_visible()
    expect(phone.get_by_text("12 of 12 contacts would get it now.")).to_be_visible()
    screenshot(phone, "campaigns-draft-phone")

    page.goto(f"{base}/campaigns/{campaign.pk}/")
    page.get_by_role("button", name="Send or schedule").click()
    expect(page.get_by_text("Campaign scheduled.")).to_be_visible()

    stop = threading.Event()

    def worker() -> None:  # what the Celery worker's tick does, on its own connection
        connection.set_tenant(Tenant.objects.get(slug="alpha"))
        try:
            while not stop.is_set():
                due_work_sweep()
                time.sleep(0.3)
        finally:
            connection.close()

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    try:
        expect(page.get_by_test_id("progress-figures")).to_have_text("12 of 12 done", timeout=30000)
    finally:
        stop.set()
        thread.join(timeout=10)
    expect(page.locator("progress")).to_have_attribute("value", "12")
    page.reload()
    expect(page.get_by_role("heading", name="Report")).to_be_visible()
    screenshot(page, "campaigns-report-desktop")
    phone.goto(f"{base}/campaigns/{campaign.pk}/")
    screenshot(phone, "campaigns-report-phone")
