"""Files with e-mails: builders registered per related type, attached on delivery, e-mail only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from apps.messaging.registries import attachment_builders
from apps.messaging.services import message_deliver, message_send
from apps.messaging.services.attachments import attachments_for
from tests.contacts.factories import ContactFactory

pytestmark = pytest.mark.usefixtures("tenant")
MIDDAY = dt.datetime.combine(dt.date.today(), dt.time(11), tzinfo=dt.UTC)


@pytest.fixture
def builders():
    """A builder for invoices, registered for the length of one test."""
    calls: list = []

    def invoice_pdf(message):
        calls.append(message.pk)
        return [("invoice.pdf", b"%PDF-1.4 fake", "application/pdf")]

    with attachment_builders.override("invoice", invoice_pdf):
        yield calls


def send(contact, channel: str, related_type: str = "invoice"):
    message = message_send(
        contact=contact,
        purpose="payment_reminder",
        channel=channel,
        related_type=related_type,
        related_id="7",
        context={
            "invoice": {"amount": "10", "due_date": "today", "pay_link": "https://pay.test/7"}
        },
        now=MIDDAY,  # outside quiet hours, so a text goes out at once
    )
    return message_deliver(message_id=message.pk)


def test_an_email_about_a_registered_type_carries_its_files(builders):
    contact = ContactFactory(email="ada@example.test")
    send(contact, "email")
    (email,) = mail.outbox
    assert email.attachments[0] == ("invoice.pdf", b"%PDF-1.4 fake", "application/pdf")
    parts = [p for p in email.message().walk() if p.get_filename() == "invoice.pdf"]
    assert parts[0].get_content_type() == "application/pdf"
    assert "10" in email.body  # the text is still there


def test_other_types_and_texts_get_no_files(builders):
    contact = ContactFactory(
        email="ada@example.test", phone="+4915123456789", sms_consent="opted_in"
    )
    send(contact, "email", related_type="order")
    assert mail.outbox[-1].attachments == []
    message = send(contact, "sms")
    assert message.status == "sent" and message.channel == "sms"
    assert builders == []  # never asked: not an invoice, then not an e-mail


def test_a_failing_builder_costs_the_file_not_the_email(caplog):
    def broken(message):
        raise RuntimeError("no template")

    contact = ContactFactory(email="ada@example.test")
    with attachment_builders.override("invoice", broken):
        message = send(contact, "email")
    assert message.status == "sent"
    assert mail.outbox[-1].attachments == []
    assert "not built" in caplog.text


def test_attachments_for_reads_the_registry(builders):
    class Stub:
        pk, related_type = 1, "invoice"

    assert attachments_for(Stub()) == [("invoice.pdf", b"%PDF-1.4 fake", "application/pdf")]
    Stub.related_type = ""
    assert attachments_for(Stub()) == []
