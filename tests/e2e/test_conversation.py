"""A customer's text lands in the inbox; the front desk answers it from the conversation, at
desktop and at phone width, and sees it in the thread."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.accounts.models import User
from apps.contacts import services
from apps.messaging.models import Message
from apps.messaging.services.inbound import inbound_sms_receive
from apps.messaging.services.sending import message_deliver, message_mark, message_send
from tests.conftest import owner_email
from tests.e2e.helpers import log_in
from tests.helpers.clock import BERLIN, clock_at, local, today

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def noon():
    """Midday in Berlin (the live server shares the clock): no quiet hours hold the answer."""
    with clock_at(local(today(BERLIN), 12, 0, BERLIN), tick=True):
        yield


@pytest.fixture
def patient(committed_tenant, noon):
    """A patient with a reminder they opened, an e-mail, and a question sent by text."""
    owner = User.objects.get(email=owner_email("alpha"))
    contact = services.contact_create(
        actor=owner,
        first_name="Marguerite",
        last_name="Duras",
        email="marguerite@example.test",
        phone="0151 23456789",
        tags=[],
        owner=owner,
    )
    reminder = message_send(
        contact=contact,
        purpose="survey_invitation",
        channel="email",
        context={"survey": {"link": "https://alpha.example/s/1"}},
    )
    message_mark(message=message_deliver(message_id=reminder.pk), status="opened")
    text = message_send(
        contact=contact,
        purpose="outage_notice",
        channel="sms",
        context={"outage": {"area": "Mitte", "until": "14:00"}},
    )
    message_mark(message=message_deliver(message_id=text.pk), status="delivered")
    yesterday = timezone.now() - dt.timedelta(days=1)
    Message.objects.filter(pk__in=[reminder.pk, text.pk]).update(created=yesterday)
    inbound_sms_receive(
        from_number="+4915123456789",
        body="Hello! Can I move my check-up to Thursday afternoon?",
        provider_message_id="SMe2e1",
    )
    return contact


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_answer_a_text_from_the_inbox(browser, live_server_port, patient, screenshot, viewport):
    width = "phone" if viewport is PHONE else "desktop"
    page = browser.new_context(viewport=viewport).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, live_server_port)

    page.goto(f"http://alpha.localhost:{live_server_port}/messages/inbox/")
    page.get_by_role("link", name="Answer").first.click()
    page.wait_for_url(f"**/messages/conversations/{patient.pk}/**")
    thread = page.locator("#conversation-thread")
    expect(thread).to_contain_text("Can I move my check-up to Thursday afternoon?")
    expect(page.get_by_role("radio", name="SMS")).to_be_checked()
    expect(page.get_by_label("Subject")).to_be_hidden()  # only e-mails have one

    page.get_by_role("textbox", name="Message").fill(
        "Of course! Thursday at 15:00 is free. Shall I book it?"
    )
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#conversation-composer .alert")).to_contain_text("Sent by SMS")
    expect(thread).to_contain_text("Thursday at 15:00 is free")
    expect(page.get_by_role("textbox", name="Message")).to_have_value("")
    screenshot(page, f"conversation-{width}")

    page.get_by_text("E-mail", exact=True).click()
    expect(page.get_by_label("Subject")).to_be_visible()
    screenshot(page, f"conversation-email-{width}")
    assert not errors
    page.context.close()
