"""Conversations: staff answer a text or write to a customer from the thread; it goes through
message_send (consent, quiet hours), transactional only while answering within 24 hours; the
thread, the composer, the contact page's card and the inbox link; outsiders; query counts."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.contacts.models import Contact
from apps.messaging.models import InboundMessage, Message
from apps.messaging.services.conversations import conversation_channels, conversation_send
from apps.messaging.services.inbound import inbound_sms_receive
from apps.messaging.services.sending import message_deliver
from tests.conftest import alpha, host_of, logged_in
from tests.contacts.factories import ContactFactory
from tests.helpers.clock import BERLIN, clock_at, local, today
from tests.messaging.factories import InboundMessageFactory, MessageFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
PHONE = "+4915112345678"


@pytest.fixture(autouse=True)
def _noon():
    """Midday in Berlin, outside any quiet hours, whatever the hour the suite runs at."""
    with clock_at(local(today(BERLIN), 12, 0, BERLIN), tick=True):
        yield


def _contact(**kw):
    values = dict(
        first_name="Pat",
        email="pat@example.test",
        phone=PHONE,
        phone_national="15112345678",
        time_zone="Europe/Berlin",
        email_consent="unknown",
        sms_consent="unknown",
        language="en",
    )
    values.update(kw)
    return ContactFactory(**values)


def _url(contact, suffix=""):
    return f"/messages/conversations/{contact.pk}/{suffix}"


# --- the whole path -----------------------------------------------------------------------------
def test_an_inbound_text_answered_from_the_inbox_reaches_the_provider_and_the_thread(
    staff_client, staff_member, tenant
):
    contact = _contact()
    inbound_sms_receive(from_number=PHONE, body="Can I come at 3?", provider_message_id="SMin1")
    inbox = staff_client.get("/messages/inbox/").content.decode()
    assert f'href="{_url(contact)}#conversation-composer"' in inbox and "Answer" in inbox

    response = staff_client.post(
        _url(contact, "send/"), {"channel": "sms", "text": "Yes, 3 pm works."}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sent by SMS to +4915112345678." in html
    assert 'id="conversation-thread"' in html and "hx-swap-oob" in html  # the thread, refreshed
    assert "Yes, 3 pm works." in html and "Can I come at 3?" in html

    with alpha():
        message = Message.objects.get(purpose="conversation")
        assert (message.channel, message.category, message.to) == ("sms", "transactional", PHONE)
        assert message.body == "Yes, 3 pm works." and message.sent_by == staff_member
        assert InboundMessage.objects.get().read_at is not None  # answered, so read
        message = message_deliver(message_id=message.pk)  # the task the commit hands it to
        assert message.status == "sent" and message.provider == "outbox"
        assert message.provider_message_id.startswith("outbox-")
    thread = staff_client.get(_url(contact)).content.decode()
    assert thread.index("Can I come at 3?") < thread.index("Yes, 3 pm works.")  # newest last
    assert "Sent</a>" in thread


def test_without_a_message_from_the_customer_a_text_needs_their_consent(tenant):
    contact = _contact()
    refused = conversation_send(contact=contact, channel="sms", text="Hello!")
    assert (refused.status, refused.category) == ("suppressed", "marketing")
    assert refused.reason == "no marketing opt-in for SMS"
    contact.sms_consent = "opted_in"
    contact.save()
    assert conversation_send(contact=contact, channel="sms", text="Hello!").status == "queued"


def test_an_answer_more_than_24_hours_later_is_no_longer_transactional(tenant):
    contact = _contact()
    InboundMessageFactory(contact=contact)
    InboundMessage.objects.update(received_at=timezone.now() - dt.timedelta(hours=25))
    assert conversation_send(contact=contact, channel="sms", text="Sorry!").status == "suppressed"
    InboundMessage.objects.update(received_at=timezone.now() - dt.timedelta(hours=23))
    message = conversation_send(contact=contact, channel="sms", text="Sorry!")
    assert (message.status, message.category) == ("queued", "transactional")


def test_a_refusal_is_told_in_words(staff_client, tenant):
    contact = _contact()
    html = staff_client.post(
        _url(contact, "send/"), {"channel": "sms", "text": "Hello!"}, **HTMX
    ).content.decode()
    assert "Not sent: Pat has not agreed to receive SMS messages" in html
    assert "Hello!" in html  # kept in the composer, to send another way


def test_a_text_in_quiet_hours_waits_and_says_until_when(staff_client, tenant):
    contact = _contact()
    with clock_at(local(today(BERLIN), 22, 30, BERLIN), tick=True):
        InboundMessageFactory(contact=contact)
        html = staff_client.post(
            _url(contact, "send/"), {"channel": "sms", "text": "Will do."}, **HTMX
        ).content.decode()
    assert "the text will go at 08:00 their time" in html
    with alpha():
        assert Message.objects.get(purpose="conversation").status == "deferred"


def test_an_email_goes_with_its_subject_and_needs_one(staff_client, tenant):
    contact = _contact(email_consent="opted_in")
    html = staff_client.post(
        _url(contact, "send/"), {"channel": "email", "text": "Your results are in."}, **HTMX
    ).content.decode()
    assert "An e-mail needs a subject." in html
    html = staff_client.post(
        _url(contact, "send/"),
        {"channel": "email", "subject": "Your results", "text": "Your results are in."},
        **HTMX,
    ).content.decode()
    assert "Sent by E-mail to pat@example.test." in html
    with alpha():
        message = Message.objects.get(purpose="conversation")
        assert message.subject == "Your results" and "Your results are in." in message.body
        assert message.body.startswith("Hi Pat,")


def test_bad_input_is_named_never_a_500(staff_client, tenant):
    contact = _contact(email="")
    for data, error in [
        ({"channel": "sms", "text": "  "}, "This field is required."),
        ({"channel": "email", "subject": "S", "text": "Hi"}, "Select a valid choice."),
        ({"channel": "fax", "text": "Hi"}, "Select a valid choice."),
        ({"channel": "sms", "text": "x" * 1601}, "at most 1600 characters"),
    ]:
        response = staff_client.post(_url(contact, "send/"), data, **HTMX)
        assert response.status_code == 200 and error in response.content.decode(), data
    with alpha():
        assert not Message.objects.exists()


def test_the_service_names_the_field_it_refuses(tenant):
    from django.core.exceptions import ValidationError

    contact = _contact(phone="", phone_national="")
    with pytest.raises(ValidationError) as refused:
        conversation_send(contact=contact, channel="sms", text="Hi")
    assert "channel" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        conversation_send(contact=contact, channel="email", text="Hi")
    assert "subject" in refused.value.message_dict


def test_the_channel_picker_offers_only_what_the_contact_can_receive(staff_client, tenant):
    text_only = _contact(email="")
    assert conversation_channels(contact=text_only) == ["sms"]
    assert conversation_channels(contact=_contact(phone="", email="a@b.test")) == ["email"]
    opted_out = _contact(phone="+4915112345679", email="c@d.test", sms_consent="opted_out")
    assert conversation_channels(contact=opted_out) == ["email"]
    html = staff_client.get(_url(text_only)).content.decode()
    assert 'value="sms"' in html and 'value="email"' not in html
    nothing = _contact(email="", phone="", phone_national="")
    html = staff_client.get(_url(nothing)).content.decode()
    assert "No channel to write on" in html and "<textarea" not in html


# --- the pages ------------------------------------------------------------------------------------
def test_the_thread_shows_both_sides_newest_last_with_delivery_states(viewer_client, tenant):
    contact = _contact()
    now = timezone.now()
    states = ["queued", "sent", "delivered", "failed", "opened"]
    for n, status in enumerate(states):
        MessageFactory(contact=contact, status=status, body=f"out {status}")
        Message.objects.filter(body=f"out {status}").update(
            created=now - dt.timedelta(minutes=50 - n)
        )
    InboundMessageFactory(contact=contact, body="in reply")
    html = viewer_client.get(_url(contact)).content.decode()
    positions = [html.index(f"out {status}") for status in states]
    assert positions == sorted(positions) and positions[-1] < html.index("in reply")
    for label in ("Queued", "Sent", "Delivered", "Failed", "Opened"):
        assert f">{label}</a>" in html
    assert "bubble--in" in html and "bubble--out" in html
    assert "<textarea" not in html  # viewers read only
    polled = viewer_client.get(_url(contact), **HTMX).content.decode()
    assert "<html" not in polled and 'id="conversation-thread"' in polled


def test_viewers_cannot_send(viewer_client, tenant):
    contact = _contact()
    response = viewer_client.post(_url(contact, "send/"), {"channel": "sms", "text": "Hi"})
    assert response.status_code == 403
    with alpha():
        assert not Message.objects.exists()


def test_the_thread_reads_a_bounded_number_of_queries(
    staff_client, tenant, django_assert_max_num_queries
):
    contact = _contact()
    for _ in range(3):
        MessageFactory(contact=contact, purpose="conversation", body="few")
    with django_assert_max_num_queries(14) as few:
        staff_client.get(_url(contact))
    for _ in range(40):
        MessageFactory(contact=contact, purpose="conversation", body="many")
        InboundMessageFactory(contact=contact)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = staff_client.get(_url(contact)).content.decode()
    assert html.count("bubble--out") == 43


def test_sending_reads_a_bounded_number_of_queries(
    staff_client, tenant, django_assert_max_num_queries
):
    contact = _contact()
    for _ in range(30):
        InboundMessageFactory(contact=contact)
    with django_assert_max_num_queries(40):
        response = staff_client.post(
            _url(contact, "send/"), {"channel": "sms", "text": "On my way"}, **HTMX
        )
    assert "Sent by SMS" in response.content.decode()


def test_the_contact_page_card_leads_to_the_conversation(staff_client, viewer_client, tenant):
    contact = _contact()
    MessageFactory(contact=contact, body="See you tomorrow", status="delivered")
    page = staff_client.get(f"/contacts/{contact.pk}/").content.decode()
    assert f'hx-get="{_url(contact, "card/")}"' in page
    card = staff_client.get(_url(contact, "card/"), **HTMX).content.decode()
    assert "See you tomorrow" in card and "Send message" in card
    assert f'href="{_url(contact)}#conversation-composer"' in card
    assert "Conversation" in viewer_client.get(_url(contact, "card/"), **HTMX).content.decode()
    # not htmx: the conversation itself
    assert staff_client.get(_url(contact, "card/")).url == _url(contact)


def test_the_outsider_is_sent_to_log_in_and_finds_nothing_on_their_own_host(
    outsider_client, outsider, other_tenant, tenant
):
    contact = _contact()
    InboundMessageFactory(contact=contact, body="secret question")
    for method, suffix in [("get", ""), ("get", "card/"), ("post", "send/")]:
        url = _url(contact, suffix)
        response = getattr(outsider_client, method)(url, {"channel": "sms", "text": "x"}, **HTMX)
        assert response.status_code == 302 and response.url.startswith("/login/?next="), url
        assert b"secret question" not in response.content
    with schema_context(other_tenant.schema_name):
        assert not Contact.objects.filter(pk=contact.pk).exists()
    own = logged_in(Client(HTTP_HOST=host_of(other_tenant)), outsider, other_tenant)
    for method, suffix in [("get", ""), ("get", "card/"), ("post", "send/")]:
        response = getattr(own, method)(_url(contact, suffix), {"channel": "sms", "text": "x"})
        assert response.status_code == 404
        assert b"secret question" not in response.content
    with alpha():
        assert not Message.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(tenant_client, tenant):
    contact = _contact()
    for method, suffix in [("get", ""), ("get", "card/"), ("post", "send/")]:
        response = getattr(tenant_client, method)(_url(contact, suffix))
        assert response.status_code == 302 and response.url.startswith("/login/?next=")
