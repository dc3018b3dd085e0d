"""A French practice on a phone: the booking page, the customer's link and the team's Home
are in French, and the longer French words fit the 390 px screen without sideways scrolling."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from apps.appointments.models import AppointmentSettings
from apps.tenants.models import Tenant
from tests.appointments.factories import ServiceFactory, StaffMemberFactory, week_hours
from tests.conftest import PASSWORD, owner_email

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}


@pytest.fixture
def french_practice(committed_tenant):
    """Alpha speaks French for the test (committed; set back after)."""
    tenant = Tenant.objects.get(pk=committed_tenant.pk)
    tenant.language = "fr"
    tenant.save(update_fields=["language"])
    AppointmentSettings.objects.update_or_create(
        pk=1, defaults={"booking_intro": "Prenez rendez-vous en moins d'une minute."}
    )
    weber = StaffMemberFactory(name="Dr Anne Weber", title="Chirurgienne-dentiste")
    klein = StaffMemberFactory(name="Dr Jonas Klein", title="Hygiéniste")
    for staff in (weber, klein):
        week_hours(staff, dt.time(8), dt.time(18))
    ServiceFactory(
        name="Contrôle",
        description="Examen et conseils",
        staff=[weber, klein],
        price=80,
        duration_minutes=30,
    )
    ServiceFactory(name="Détartrage", staff=[klein], price=95, duration_minutes=60)
    try:
        yield tenant
    finally:
        tenant.language = "en"
        tenant.save(update_fields=["language"])


def assert_fits(page, width: int) -> None:
    """Nothing makes the page wider than the screen (measured once the stylesheets are in:
    a heading can be found before they apply, and an unstyled page is wider)."""
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_french_practice_books_and_works_in_french(
    browser, live_server_port, french_practice, screenshot, viewport, frozen_now
):
    width = "phone" if viewport is PHONE else "desktop"
    base = f"http://alpha.localhost:{live_server_port}"
    page = browser.new_context(viewport=viewport, locale="en-US").new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{base}/book/")  # the browser asks for English; the practice speaks French
    assert page.locator("html").get_attribute("lang") == "fr"
    page.get_by_role("heading", name="Prendre rendez-vous").wait_for()
    screenshot(page, f"{width}-fr-book-1-services")
    assert_fits(page, viewport["width"])
    page.get_by_role("link", name=re.compile("Contrôle")).click()

    page.get_by_role("heading", name="Qui souhaitez-vous voir ?").wait_for()
    screenshot(page, f"{width}-fr-book-2-staff")
    assert_fits(page, viewport["width"])
    page.get_by_role("link", name=re.compile("Peu importe")).click()

    page.get_by_role("heading", name="Choisissez un jour et une heure").wait_for()
    day = page.locator(".day-strip .day").nth(1)
    href = day.get_attribute("href")
    day.click()
    page.locator(f'.day-strip .day.is-selected[href="{href}"]').wait_for()
    screenshot(page, f"{width}-fr-book-3-times")
    assert_fits(page, viewport["width"])
    page.locator(".time-slot").nth(2).click()

    page.get_by_role("heading", name="Vos coordonnées").wait_for()
    page.get_by_role("button", name="Réserver ce créneau").click()  # nothing filled in
    page.locator(".errors").first.wait_for()
    assert page.get_by_text("Veuillez indiquer votre prénom.").is_visible()
    screenshot(page, f"{width}-fr-book-4-details-errors")
    assert_fits(page, viewport["width"])
    page.get_by_label("Prénom").fill("Camille")
    page.get_by_label("Nom", exact=True).fill("Martin")
    page.get_by_label("E-mail").fill(f"camille-{width}@example.test")
    page.get_by_label("Téléphone portable").fill("+49 151 23456789")
    page.get_by_role("button", name="Réserver ce créneau").click()

    page.get_by_role("heading", name="C'est réservé").wait_for()
    screenshot(page, f"{width}-fr-book-5-confirmation")
    assert_fits(page, viewport["width"])
    manage_url = page.get_by_role("link", name="Modifier ou annuler").get_attribute("href")
    page.goto(f"{base}{manage_url}")
    page.get_by_role("heading", name="Votre rendez-vous").wait_for()
    screenshot(page, f"{width}-fr-book-6-manage")
    assert_fits(page, viewport["width"])

    page.goto(f"{base}/login/")
    page.get_by_label("E-mail").fill(owner_email("alpha"))
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/")
    page.locator("#content").wait_for()
    page.wait_for_load_state("networkidle")  # Home's cards come in by htmx
    assert page.locator("html").get_attribute("lang") == "fr"
    screenshot(page, f"{width}-fr-home")
    assert_fits(page, viewport["width"])
    page.goto(f"{base}/appointments/")
    page.locator("#calendar").wait_for()
    screenshot(page, f"{width}-fr-calendar")
    assert errors == []
