"""Closing the loop in a browser: a patient answers from the e-mail's score button on a phone
(a detractor's 2, then the "why?"), the owner sees the case on Home at desktop width, resolves
it with points and a "remember" note, and the note is on that patient's next appointment
until it is marked honoured."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.feedback.models import Case, RememberNote, Response
from apps.feedback.services.invitations import invitation_create, invitation_send
from apps.loyalty.models import LedgerEntry
from apps.messaging.models import Message
from tests.appointments.factories import AppointmentFactory, ServiceFactory, StaffMemberFactory
from tests.contacts.factories import ContactFactory
from tests.e2e.helpers import DESKTOP, PHONE, log_in
from tests.feedback.factories import RootCauseFactory, SurveyFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def patient(committed_tenant):
    staff = StaffMemberFactory(name="Dr. Anna Weber")
    service = ServiceFactory(name="Check-up", staff=[staff])
    contact = ContactFactory(first_name="Hélène", last_name="Cixous")
    RootCauseFactory(label="Waiting time")
    survey = SurveyFactory(name="After your visit", channel="email")
    # sent a few minutes ago: a click on arrival is a mail gateway's scanner, not a person
    invitation = invitation_send(
        invitation=invitation_create(survey=survey, contact=contact),
        now=timezone.now() - dt.timedelta(minutes=5),
    )
    starts = (timezone.now() + dt.timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    visit = AppointmentFactory(contact=contact, service=service, staff=staff, starts_at=starts)
    return {"contact": contact, "invitation": invitation, "visit": visit}


# A person's phone (headless Chromium says "HeadlessChrome", which the click rule takes for
# a link scanner).
PHONE_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Mobile Safari/537.36"
)


def test_a_detractor_is_called_back_and_remembered_at_the_next_visit(
    browser, live_server_port, patient, screenshot
):
    base = f"http://alpha.localhost:{live_server_port}"
    body = Message.objects.get(related_type="feedback_invitation").body
    score_path = re.search(r"https?://[^/\s]+(/f/\S+/2/)", body).group(1)

    phone = browser.new_context(viewport=PHONE, user_agent=PHONE_AGENT).new_page()
    phone.goto(base + score_path)  # the "2" button of the e-mail
    expect(phone.get_by_label("2", exact=True)).to_be_checked()
    assert Case.objects.filter(contact=patient["contact"]).count() == 1  # opened at the click
    screenshot(phone, "feedback-survey-phone")
    phone.get_by_label(re.compile("main reason")).fill("Waited forty minutes, nobody told me why.")
    phone.get_by_role("button", name="Send").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Thank you")
    screenshot(phone, "feedback-thanks-phone")
    phone.reload()  # a reloaded thank-you page changes nothing
    assert Response.objects.count() == 1 and Case.objects.count() == 1

    desk = browser.new_context(viewport=DESKTOP).new_page()
    log_in(desk, live_server_port)
    card = desk.locator("#home-feedback-cases")
    expect(card).to_contain_text("Hélène Cixous")
    screenshot(desk, "feedback-home-desktop")
    card.get_by_role("link", name="Hélène Cixous").click()
    expect(desk.locator(".fb-quote")).to_contain_text("Waited forty minutes")
    desk.get_by_label("Root cause").select_option(label="Waiting time")
    desk.get_by_label("Gesture").select_option(label="Loyalty points")
    desk.get_by_label("Points").fill("200")
    desk.get_by_label("Remember at the next visit").fill("Apologise for the wait; see her on time.")
    screenshot(desk, "feedback-case-desktop")
    desk.get_by_role("button", name="Resolve the case").click()
    expect(desk.get_by_text("Case resolved.")).to_be_visible()
    assert LedgerEntry.objects.filter(points=200).count() == 1

    desk.goto(f"{base}/appointments/{patient['visit'].pk}/")
    notice = desk.locator(".appt-notice")
    expect(notice).to_contain_text("Apologise for the wait")
    screenshot(desk, "feedback-remember-appointment")
    notice.get_by_role("button", name="Mark as honoured").click()
    desk.goto(f"{base}/appointments/{patient['visit'].pk}/")
    expect(desk.locator(".appt-notice")).to_have_count(0)
    assert RememberNote.objects.get().honoured_at is not None

    desk.goto(f"{base}/feedback/")
    expect(desk.get_by_role("heading", name="NPS over time")).to_be_visible()
    expect(desk.get_by_text("Time to first contact")).to_be_visible()  # loaded after the page
    screenshot(desk, "feedback-figures-desktop")
    survey_url = f"{base}/feedback/surveys/{patient['invitation'].survey_id}/"
    desk.goto(survey_url)
    questions = desk.locator("#questions")
    questions.get_by_label("Kind of answer").select_option(label="One choice")
    questions.get_by_label("Question (English)").fill("What brought you to us?")
    questions.get_by_label("Options, one a line (English)").fill("A friend\nThe web\nPassing by")
    questions.get_by_role("button", name="Add the question").click()
    expect(desk.locator("#questions")).to_contain_text("What brought you to us?")
    screenshot(desk, "feedback-survey-form-desktop")
    log_in(phone, live_server_port)
    phone.goto(f"{base}/feedback/")
    screenshot(phone, "feedback-figures-phone")
    phone.goto(survey_url)
    expect(phone.get_by_role("group", name="French")).to_be_visible()
    screenshot(phone, "feedback-survey-form-phone")
    phone.goto(f"{base}/feedback/cases/?status=all")
    expect(phone.get_by_text("Hélène Cixous")).to_be_visible()
    screenshot(phone, "feedback-cases-phone")
