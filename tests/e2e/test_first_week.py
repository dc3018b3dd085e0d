"""A practice's first week, in Chromium at phone and desktop width, and once as a French
business whose pages speak French: sign up (logged in at once), give the business a phone
number, follow Home's checklist to a bookable service, open the booking page from Home, book
as a customer on a phone and get the confirmation e-mail from the business; then the practice
cancels and the cancellation e-mail, with the business's phone, is there too.

Labels are looked up in the business's language (`_t`), so the French run clicks what a French
owner reads. The test hands the queued e-mails to the provider as the worker does (the worker
itself is tested in tests/messaging and tests/appointments)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.utils import translation
from django_tenants.utils import schema_context

from apps.appointments.models import Appointment, AppointmentStatus
from apps.messaging.models import Message
from apps.messaging.services.sending import message_deliver

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
PASSWORD = "first-week-at-the-desk-42"

BRITISH = dict(
    language="en",
    country="United Kingdom",
    phone="020 7946 0018",
    mobile="07400 123456",
)
CASES = {
    "desktop": dict(BRITISH, viewport=DESKTOP, slug="clear-smile", name="Clear Smile Dental"),
    "phone": dict(BRITISH, viewport=PHONE, slug="clear-phone", name="Clear Phone Dental"),
    "french": dict(
        viewport=PHONE,
        language="fr",
        slug="sourire",
        country="France",
        name="Cabinet Sourire",
        phone="01 42 68 53 00",
        mobile="06 12 34 56 78",
    ),
}


def _deliver(slug: str, django_db_blocker) -> None:
    """What the worker does with the messages the pages queued."""
    with django_db_blocker.unblock(), schema_context(slug.replace("-", "_")):
        for message_id in Message.objects.filter(status="queued").values_list("pk", flat=True):
            message_deliver(message_id=message_id)
    connection.set_schema_to_public()


@pytest.mark.parametrize("case", list(CASES))
def test_a_practices_first_week(
    browser, live_server_port, drop_businesses, screenshot, mailoutbox, django_db_blocker, case
):
    c = CASES[case]
    drop_businesses.append(c["slug"])

    def _t(text: str) -> str:
        with translation.override(c["language"]):
            return translation.gettext(text)

    locale = "fr-FR" if c["language"] == "fr" else "en-GB"
    owner = browser.new_context(viewport=c["viewport"], locale=locale).new_page()
    errors: list[str] = []
    owner.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    # sign up: the page speaks the visitor's language, and the owner is logged in at once
    owner.goto(f"http://localhost:{live_server_port}/signup/")
    owner.get_by_label(_t("Business name")).fill(c["name"])
    owner.get_by_label(_t("Sub-domain")).fill(c["slug"])
    owner.get_by_label(_t("Your name")).fill("Amira Haddad")
    owner.get_by_label(_t("Your email")).fill(f"amira@{c['slug']}.example")
    owner.get_by_label(_t("Password")).fill(PASSWORD)
    owner.get_by_label(_t("Country")).select_option(label=c["country"])
    assert owner.get_by_label(_t("Language")).input_value() == c["language"]
    owner.get_by_role("button", name=_t("Create my business")).click()
    base = f"http://{c['slug']}.localhost:{live_server_port}"
    owner.wait_for_url(f"{base}/")
    assert owner.locator("html").get_attribute("lang") == c["language"]

    # how customers reach the business
    owner.goto(f"{base}/settings/profile/")
    owner.get_by_label(_t("Phone")).fill(c["phone"])
    owner.get_by_label(_t("E-mail address")).fill(f"hello@{c['slug']}.example")
    owner.get_by_role("button", name=_t("Save"), exact=True).click()
    owner.get_by_text(_t("Business profile saved.")).wait_for()

    # Home's checklist: someone with hours, a first service, the booking page
    owner.goto(f"{base}/")
    checklist = owner.locator("#home-appointments-setup")
    checklist.get_by_role("link", name=_t("Add a staff member")).click()
    owner.locator('input[name="name"]').fill("Dr. Amira Haddad")
    owner.get_by_role("button", name=_t("Save"), exact=True).click()
    hours = owner.locator("#hours")
    hours.locator('input[name="monday_0_start"]').fill("08:00")
    hours.locator('input[name="monday_0_end"]').fill("18:00")
    hours.get_by_role("button", name=_t("all days")).click()
    hours.get_by_role("button", name=_t("Save hours")).click()
    owner.locator("#hours").wait_for()
    owner.goto(f"{base}/")
    checklist.get_by_role("link", name=_t("Add a service")).click()
    owner.locator('input[name="name"]').fill(_t("Check-up"))
    owner.locator('input[name="duration_minutes"]').fill("30")
    owner.locator("form").get_by_role("button", name=re.compile("^" + _t("Save"))).first.click()
    owner.wait_for_url(f"{base}/appointments/setup/services/")
    owner.goto(f"{base}/")
    open_link = checklist.get_by_role("link", name=re.compile("^" + _t("Open the booking page")))
    open_link.wait_for()
    owner.wait_for_load_state("networkidle")
    screenshot(owner, f"{case}-first-week-1-home")
    with owner.context.expect_page() as opened:
        open_link.click()
    booking_url = opened.value.url
    assert booking_url.startswith(f"{base}/book/")

    # a customer books on their phone
    customer = browser.new_context(viewport=PHONE, locale=locale).new_page()
    customer.goto(booking_url)
    assert customer.locator("html").get_attribute("lang") == c["language"]
    assert customer.get_by_text(c["phone"]).first.is_visible()  # the business's phone
    heading = customer.get_by_role("heading", name=_t("Choose a day and time"))
    if not heading.is_visible():
        customer.get_by_text(_t("Check-up")).first.click()
        heading.wait_for()
    screenshot(customer, f"{case}-first-week-2-booking")
    customer.locator(".day-strip .day").nth(2).click()
    customer.wait_for_url(re.compile(r"date="))
    customer.locator(".time-slot").first.click()
    customer.locator('input[name="first_name"]').fill("Chloé")
    customer.locator('input[name="last_name"]').fill("Martin")
    customer.locator('input[name="email"]').fill("chloe@example.test")
    customer.locator('input[name="phone"]').fill(c["mobile"])
    customer.get_by_role("button", name=_t("Book this time")).click()
    customer.get_by_role("heading", name=_t("You're booked")).wait_for()
    assert customer.get_by_text("c…@example.test").first.is_visible()  # what really happened
    screenshot(customer, f"{case}-first-week-3-booked")

    _deliver(c["slug"], django_db_blocker)
    confirmation = [mail for mail in mailoutbox if mail.to == ["chloe@example.test"]]
    assert len(confirmation) == 1
    assert confirmation[0].from_email.startswith(f"{c['name']} <")  # from the business
    assert confirmation[0].reply_to == [f"hello@{c['slug']}.example"]

    # the practice cancels: the patient is told, with the number to call
    with django_db_blocker.unblock(), schema_context(c["slug"].replace("-", "_")):
        visit = Appointment.objects.get(contact__email="chloe@example.test")
    connection.set_schema_to_public()
    owner.goto(f"{base}/appointments/{visit.pk}/")
    owner.locator("summary", has_text=_t("Cancel the appointment")).click()
    owner.get_by_role("button", name=_t("Cancel appointment")).click()
    with django_db_blocker.unblock(), schema_context(c["slug"].replace("-", "_")):
        for _ in range(50):
            visit.refresh_from_db()
            if visit.status == AppointmentStatus.CANCELLED:
                break
            owner.wait_for_timeout(100)
    connection.set_schema_to_public()
    assert visit.status == AppointmentStatus.CANCELLED
    _deliver(c["slug"], django_db_blocker)
    cancelled = [mail for mail in mailoutbox if mail.to == ["chloe@example.test"]][1:]
    assert len(cancelled) == 1
    assert c["phone"] in cancelled[0].body
    assert cancelled[0].from_email.startswith(f"{c['name']} <")
    assert errors == []
