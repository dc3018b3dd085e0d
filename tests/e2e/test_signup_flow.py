"""Sign up a business, log in, see its dashboard: at desktop and at phone width."""

import pytest
from playwright.sync_api import expect

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}


@pytest.mark.parametrize(("viewport", "slug"), [(DESKTOP, "sunny-paws"), (PHONE, "phone-fix")])
def test_sign_up_log_in_and_see_the_dashboard(
    browser, live_server_port, drop_businesses, screenshot, viewport, slug
):
    drop_businesses.append(slug)
    width = "phone" if viewport is PHONE else "desktop"
    page = browser.new_context(viewport=viewport).new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    page.goto(f"http://localhost:{live_server_port}/")
    page.get_by_role("link", name="Create your business").click()
    # the page's script (deferred) listens once the document is parsed; typing before that
    # would not be heard
    page.wait_for_url(f"http://localhost:{live_server_port}/signup/", wait_until="domcontentloaded")
    screenshot(page, f"{width}-signup")
    page.get_by_label("Business name").fill("Sunny Paws Grooming")
    # the sub-domain follows the name, and the address shows where the dashboard will be
    expect(page.get_by_label("Sub-domain")).to_have_value("sunny-paws-grooming")
    assert page.get_by_text(f"sunny-paws-grooming.localhost:{live_server_port}").is_visible()
    page.get_by_label("Sub-domain").fill(slug)
    assert page.get_by_text(f"{slug}.localhost:{live_server_port}").is_visible()
    page.get_by_label("Your name").fill("Lena Hart")
    page.get_by_label("Your email").fill(f"lena@{slug}.example")
    page.get_by_label("Password").fill("groom-and-shine-42")
    page.get_by_label("Country").select_option(label="United Kingdom")
    # one zone in the country: chosen with it
    assert page.get_by_label("Time zone").input_value() == "Europe/London"
    screenshot(page, f"{width}-signup-filled")
    page.get_by_role("button", name="Create my business").click()

    # logged in at once, on the business's own host
    page.wait_for_url(f"http://{slug}.localhost:{live_server_port}/")
    assert page.get_by_text("Sunny Paws Grooming is ready").is_visible()
    assert page.get_by_role("heading", name="Welcome, Lena Hart").is_visible()
    assert page.get_by_text("British Time (London)").is_visible()
    assert page.locator(".brand__name").first.inner_text() == "Sunny Paws Grooming"
    screenshot(page, f"{width}-home")
    if viewport is PHONE:
        page.get_by_label("Menu", exact=True).click()
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
    assert page.get_by_label("Country").input_value() == "JP"


def test_business_profile_shows_friendly_zones_and_countries(browser, live_server_port, screenshot):
    from tests.conftest import PASSWORD, owner_email

    for viewport, width in [(DESKTOP, "desktop"), (PHONE, "phone")]:
        page = browser.new_context(viewport=viewport).new_page()
        page.goto(f"http://alpha.localhost:{live_server_port}/login/")
        page.get_by_label("Email").fill(owner_email("alpha"))
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"http://alpha.localhost:{live_server_port}/")
        page.goto(f"http://alpha.localhost:{live_server_port}/settings/profile/")
        zone = page.get_by_label("Time zone")
        assert zone.input_value() == "Europe/Berlin"
        assert zone.locator("option:checked").inner_text() == "Central European Time (Berlin)"
        assert page.get_by_label("Country").locator("option:checked").inner_text() == "Germany"
        screenshot(page, f"{width}-business-profile")
        page.context.close()
