"""A live server on the test database and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from tests.helpers.live_server import live_server

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# around it (set-up and clean-up) are ordinary synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def live_server_port(django_db_setup, django_db_blocker) -> Iterator[int]:
    """The whole project (both URL confs, tenant routing, static files) on a free port."""
    with django_db_blocker.unblock(), live_server(end_other_sessions=True) as port:
        yield port


@pytest.fixture(scope="session")
def browser(live_server_port):
    if CHROMIUM is None:
        if os.environ.get("CXSUITE_REQUIRE_BROWSER"):
            pytest.fail("chromium is required (apt-get install chromium)")
        pytest.skip("chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def drop_businesses(django_db_blocker) -> Iterator[list[str]]:
    """Slugs of businesses a test signs up; their schemas are dropped afterwards."""
    from django.db import connection

    from apps.tenants.models import Tenant

    slugs: list[str] = []
    yield slugs
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        for tenant in Tenant.objects.filter(slug__in=slugs):
            tenant.delete(force_drop=True)


@pytest.fixture
def screenshot():
    """Save a full-page screenshot when CXSUITE_SCREENSHOTS names a folder (for review)."""
    folder = os.environ.get("CXSUITE_SCREENSHOTS")

    def take(page, name: str) -> None:
        if folder:
            os.makedirs(folder, exist_ok=True)
            page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)

    return take
