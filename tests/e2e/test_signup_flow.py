"""Sign up a business, log in, see its dashboard: at desktop and at phone width."""

import pytest
from django.db import connection

from apps.tenants.models import Tenant

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}


@pytest.fixture
def cleanup_tenant(django_db_blocker):
    slugs: list[str] = []
    yield slugs
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        for tenant in Tenant.objects.filter(slug__in=slugs):
            tenant.delete(force_drop=True)


@pytest.mark.parametrize(("viewport", "slug"), [(DESKTOP, "sunny-paws"), (PHONE, "phone-fix")])
def test_sign_up_log_in_and_see_the_dashboard(
    browser, live_server_port, cleanup_tenant, screenshot, viewport, slug
):
    cleanup_tenant.append(slug)
    width = "phone" if viewport is PHONE else "desktop"
    page = browser.new_context(viewport=viewport).new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    page.goto(f"http://localhost:{live_server_port}/")
    page.get_by_role("link", name="Create your business").click()
    screenshot(page, f"{width}-signup")
    page.get_by_label("Business name").fill("Sunny Paws Grooming")
    page.get_by_label("Sub-domain").fill(slug)
    page.get_by_label("Your name").fill("Lena Hart")
    page.get_by_label("Your email").fill(f"lena@{slug}.example")
    page.get_by_label("Password").fill("groom-and-shine-42")
    page.get_by_label("Time zone").select_option("Europe/London")
    page.get_by_label("Country code").fill("GB")
    page.get_by_role("button", name="Create my business").click()
    page.wait_for_url(f"http://{slug}.localhost:{live_server_port}/login/**")
    assert page.get_by_text("Sunny Paws Grooming is ready").is_visible()
    assert page.get_by_label("Email").input_value() == f"lena@{slug}.example"
    screenshot(page, f"{width}-login")
    page.get_by_label("Password").fill("groom-and-shine-42")
    page.get_by_role("button", name="Log in").click()

    page.wait_for_url(f"http://{slug}.localhost:{live_server_port}/")
    assert page.get_by_role("heading", name="Welcome, Lena Hart").is_visible()
    assert page.get_by_text("Europe/London").is_visible()
    assert page.locator(".brand__name").first.inner_text() == "Sunny Paws Grooming"
    screenshot(page, f"{width}-home")
    if viewport is PHONE:
        page.get_by_label("Menu").click()
        assert page.locator(".nav--mobile").get_by_role("link", name="Settings").is_visible()
    else:
        assert page.locator(".sidebar").get_by_role("link", name="Settings").is_visible()
    assert errors == []


def test_sign_up_with_a_taken_sub_domain_shows_the_field_error(browser, live_server_port):
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(f"http://localhost:{live_server_port}/signup/")
    page.get_by_label("Business name").fill("Another Alpha")
    page.get_by_label("Sub-domain").fill("alpha")
    page.get_by_label("Your name").fill("Sam")
    page.get_by_label("Your email").fill("sam@example.test")
    page.get_by_label("Password").fill("groom-and-shine-42")
    page.get_by_role("button", name="Create my business").click()
    assert page.locator("#slug-errors").inner_text() == "“alpha” is already taken."
    assert page.get_by_label("Business name").input_value() == "Another Alpha"


def test_sign_up_starts_on_the_visitors_time_zone(browser, live_server_port):
    page = browser.new_context(viewport=PHONE, timezone_id="Asia/Tokyo").new_page()
    page.goto(f"http://localhost:{live_server_port}/signup/")
    assert page.get_by_label("Time zone").input_value() == "Asia/Tokyo"
