"""The Outbox, a message's page and the replies inbox: roles, outsiders, filters, query counts."""

import re

import pytest

from apps.messaging.models import InboundMessage
from tests.conftest import alpha
from tests.contacts.factories import ContactFactory
from tests.messaging.factories import InboundMessageFactory, MessageFactory

pytestmark = pytest.mark.django_db
DETAIL_LINK = re.compile(r'href="/messages/\d+/"')


def _content(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_viewer_sees_every_message_with_contact_status_and_reason(viewer_client):
    sent = MessageFactory(status="sent", purpose="appointment_reminder")
    held = MessageFactory(status="suppressed", channel="email", reason="opted out of email")
    content = _content(viewer_client.get("/messages/"))
    assert f"/contacts/{sent.contact_id}/" in content and str(held.contact) in content
    assert "opted out of email" in content
    assert f"/messages/{sent.pk}/" in content
    assert 'id="message-table"' in content and "<html" in content


def test_filters_narrow_the_list_and_htmx_gets_only_the_table(staff_client):
    sms = MessageFactory(channel="sms", status="sent")
    email = MessageFactory(channel="email", status="failed", reason="mailbox full")
    content = _content(staff_client.get("/messages/?channel=email", HTTP_HX_REQUEST="true"))
    assert "<html" not in content and 'id="message-table"' in content
    assert f"/messages/{email.pk}/" in content and f"/messages/{sms.pk}/" not in content
    content = _content(staff_client.get("/messages/?status=sent"))
    assert f"/messages/{sms.pk}/" in content and f"/messages/{email.pk}/" not in content
    # an unknown filter value is ignored, not an error
    assert f"/messages/{sms.pk}/" in _content(staff_client.get("/messages/?status=bogus"))


def test_the_list_pages_by_fifty(viewer_client):
    contact = ContactFactory()
    MessageFactory.create_batch(51, contact=contact)
    first = _content(viewer_client.get("/messages/"))
    assert len(DETAIL_LINK.findall(first)) == 50 and "page=2" in first
    second = _content(viewer_client.get("/messages/?page=2"))
    assert len(DETAIL_LINK.findall(second)) == 1 and "Next page" not in second


def test_the_outbox_reads_a_bounded_number_of_queries(viewer_client, django_assert_max_num_queries):
    for _ in range(30):
        MessageFactory()
    with django_assert_max_num_queries(12):
        _content(viewer_client.get("/messages/"))
    for _ in range(30):
        MessageFactory(status="suppressed", reason="quiet hours until 08:00")
    with django_assert_max_num_queries(12):
        _content(viewer_client.get("/messages/"))


def test_message_page_shows_rendered_text_language_provider_and_steps(viewer_client):
    from django.utils import timezone

    message = MessageFactory(
        channel="email",
        subject="Ihr Termin",
        body="Bis morgen um 10:30.",
        language="de",
        status="delivered",
        provider="outbox",
        provider_message_id="outbox-42",
        sent_at=timezone.now(),
        delivered_at=timezone.now(),
    )
    content = _content(viewer_client.get(f"/messages/{message.pk}/"))
    for text in ("Ihr Termin", "Bis morgen um 10:30.", "de", "outbox-42", "Sent", "Delivered"):
        assert text in content
    assert "Opened" not in content


def test_an_unknown_message_is_a_404(viewer_client):
    assert viewer_client.get("/messages/999999/").status_code == 404


def test_inbox_lists_replies_and_staff_marks_them_read(staff_client):
    reply = InboundMessageFactory(body="Running 5 minutes late")
    stranger = InboundMessageFactory(contact=None, from_number="+13125559999", body="Who is this?")
    content = _content(staff_client.get("/messages/inbox/"))
    assert "Running 5 minutes late" in content and "+13125559999" in content
    assert f"/contacts/{reply.contact_id}/" in content and "Mark read" in content
    response = staff_client.post(f"/messages/inbox/{reply.pk}/read/")
    assert response.status_code == 302
    with alpha():
        assert InboundMessage.objects.get(pk=reply.pk).read_at is not None
        assert InboundMessage.objects.get(pk=stranger.pk).read_at is None
    unread = _content(staff_client.get("/messages/inbox/?unread=1"))
    assert "Who is this?" in unread and "Running 5 minutes late" not in unread


def test_inbox_reads_a_bounded_number_of_queries(viewer_client, django_assert_max_num_queries):
    InboundMessageFactory.create_batch(30)
    with django_assert_max_num_queries(12):
        _content(viewer_client.get("/messages/inbox/"))


def test_viewer_reads_the_inbox_but_cannot_mark_read(viewer_client):
    reply = InboundMessageFactory()
    assert "Mark read" not in _content(viewer_client.get("/messages/inbox/"))
    assert viewer_client.post(f"/messages/inbox/{reply.pk}/read/").status_code == 403
    with alpha():
        assert InboundMessage.objects.get(pk=reply.pk).read_at is None


def test_the_outsider_is_sent_to_log_in_everywhere(outsider_client):
    message = MessageFactory(body="secret body")
    reply = InboundMessageFactory()
    for method, url in [
        ("get", "/messages/"),
        ("get", f"/messages/{message.pk}/"),
        ("get", "/messages/inbox/"),
        ("post", f"/messages/inbox/{reply.pk}/read/"),
    ]:
        response = getattr(outsider_client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/login/?next="), url
        assert b"secret body" not in response.content
    with alpha():
        assert InboundMessage.objects.get(pk=reply.pk).read_at is None


def test_anonymous_visitors_are_sent_to_log_in(tenant_client):
    assert tenant_client.get("/messages/").url == "/login/?next=/messages/"


def test_the_menu_has_messages(viewer_client):
    assert 'href="/messages/"' in _content(viewer_client.get("/"))
