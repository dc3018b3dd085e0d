"""Links customers follow: unsubscribe (page and RFC 8058 one-click), preferences, the open
pixel and the click redirect. Tokens of another business, tampered or unsigned, are refused."""

import pytest
from django.core import signing
from django.test import Client
from django_tenants.utils import schema_context

from apps.contacts.models import ConsentEvent, Contact
from apps.contacts.services.merge import contacts_merge
from apps.messaging.models import Message
from apps.messaging.services import links
from apps.messaging.views.links import PIXEL
from tests.conftest import alpha
from tests.contacts.factories import ContactFactory
from tests.messaging.factories import MessageFactory

pytestmark = pytest.mark.django_db
BASE = "http://alpha.localhost"


def _path(url: str) -> str:
    assert url.startswith(BASE)
    return url[len(BASE) :]


def _email_message(**kw):
    contact = ContactFactory(email_consent="opted_in", sms_consent="unknown")
    return MessageFactory(contact=contact, channel="email", to=contact.email, status="sent", **kw)


def _consent(contact_pk: int, channel: str) -> str:
    with alpha():
        return Contact.objects.get(pk=contact_pk).consent_for(channel)


# --- unsubscribe -----------------------------------------------------------------------------------
def test_unsubscribe_page_asks_first_then_the_button_unsubscribes(tenant_client):
    message = _email_message()
    url = _path(links.unsubscribe_url(message=message, base_url=BASE))
    page = tenant_client.get(url)
    assert page.status_code == 200 and b"Unsubscribe" in page.content
    assert (
        _consent(message.contact_id, "email") == "opted_in"
    )  # a GET (link scanner) changes nothing
    done = tenant_client.post(url)
    assert done.status_code == 200 and b"You are unsubscribed" in done.content
    assert _consent(message.contact_id, "email") == "opted_out"


def test_one_click_post_unsubscribes_without_a_csrf_token(tenant):
    message = _email_message()
    url = _path(links.unsubscribe_url(message=message, base_url=BASE))
    client = Client(HTTP_HOST="alpha.localhost", enforce_csrf_checks=True)
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    with alpha():
        change = ConsentEvent.objects.get(contact_id=message.contact_id, channel="email")
        assert (change.status, change.method, change.note) == (
            "opted_out",
            "form",
            "one-click unsubscribe",
        )


def test_an_unsubscribe_link_of_a_merged_away_contact_reaches_the_survivor(
    tenant, owner, tenant_client
):
    message = _email_message()
    url = _path(links.unsubscribe_url(message=message, base_url=BASE))
    survivor = ContactFactory(email_consent="opted_in")
    contacts_merge(survivor=survivor, others=[message.contact], actor=owner)
    done = tenant_client.post(url)
    assert done.status_code == 200 and b"You are unsubscribed" in done.content
    assert _consent(survivor.pk, "email") == "opted_out"


def test_the_page_button_still_needs_its_csrf_token(tenant):
    message = _email_message()
    url = _path(links.unsubscribe_url(message=message, base_url=BASE))
    client = Client(HTTP_HOST="alpha.localhost", enforce_csrf_checks=True)
    assert client.post(url, {}).status_code == 403
    assert _consent(message.contact_id, "email") == "opted_in"


def test_unsubscribe_headers_point_at_the_one_click_link(tenant):
    message = _email_message()
    headers = links.unsubscribe_headers(message=message, base_url=BASE)
    assert (
        headers["List-Unsubscribe"] == f"<{links.unsubscribe_url(message=message, base_url=BASE)}>"
    )
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_token_made_for_another_business_is_refused(tenant_client):
    message = _email_message()
    with schema_context("beta"):
        foreign = links.unsubscribe_url(message=message, base_url=BASE)
    for method in ("get", "post"):
        response = getattr(tenant_client, method)(_path(foreign), {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 400
        assert b"not valid" in response.content
    assert _consent(message.contact_id, "email") == "opted_in"


def test_a_tampered_or_foreign_purpose_token_is_refused(tenant_client):
    message = _email_message()
    url = _path(links.unsubscribe_url(message=message, base_url=BASE))
    tampered = url.replace("/m/u/", "/m/u/x")
    assert tenant_client.post(tampered, {"List-Unsubscribe": "One-Click"}).status_code == 400
    # a preference token does not unsubscribe (salt per purpose)
    prefs = _path(links.preferences_url(contact=message.contact, base_url=BASE))
    token = prefs.split("/")[3]
    assert (
        tenant_client.post(f"/m/u/{token}/", {"List-Unsubscribe": "One-Click"}).status_code == 400
    )
    assert tenant_client.get("/m/u/garbage/").status_code == 400
    assert _consent(message.contact_id, "email") == "opted_in"


def test_an_expired_token_gets_a_clear_page(tenant_client, monkeypatch):
    message = _email_message()
    url = _path(links.unsubscribe_url(message=message, base_url=BASE))
    monkeypatch.setitem(links.MAX_AGE, "unsubscribe", -1)
    response = tenant_client.get(url)
    assert response.status_code == 400 and b"expired" in response.content


# --- preferences -------------------------------------------------------------------------------------
def test_preferences_page_shows_the_business_and_saves_each_channel(tenant_client):
    contact = ContactFactory(
        email_consent="opted_in", sms_consent="unknown", voice_consent="unknown"
    )
    url = _path(links.preferences_url(contact=contact, base_url=BASE))
    page = tenant_client.get(url)
    content = page.content.decode()
    assert page.status_code == 200 and "Alpha Dental" in content and "--brand" in content
    assert 'id="pref-email" name="email" value="1" checked' in content
    assert 'name="viewport"' in content
    response = tenant_client.post(url, {"sms": "1"})
    assert response.status_code == 200 and b"saved" in response.content
    with alpha():
        contact.refresh_from_db()
        assert (contact.email_consent, contact.sms_consent, contact.voice_consent) == (
            "opted_out",
            "opted_in",
            "opted_out",
        )
        history = ConsentEvent.objects.filter(contact=contact).order_by("channel")
        assert [(e.channel, e.status, e.method) for e in history] == [
            ("email", "opted_out", "form"),
            ("sms", "opted_in", "form"),
            ("voice", "opted_out", "form"),
        ]


def test_preferences_from_another_business_are_refused(tenant_client):
    contact = ContactFactory()
    with schema_context("beta"):
        foreign = links.preferences_url(contact=contact, base_url=BASE)
    assert tenant_client.get(_path(foreign)).status_code == 400
    assert tenant_client.post(_path(foreign), {"sms": "1"}).status_code == 400
    with alpha():
        assert not ConsentEvent.objects.filter(contact=contact).exists()


# --- open pixel -------------------------------------------------------------------------------------
def test_the_pixel_is_a_gif_and_marks_the_message_opened(tenant_client):
    message = _email_message()
    response = tenant_client.get(_path(links.open_pixel_url(message=message, base_url=BASE)))
    assert response.status_code == 200 and response["Content-Type"] == "image/gif"
    assert response.content == PIXEL
    with alpha():
        message.refresh_from_db()
        assert message.status == "opened" and message.opened_at is not None


def test_the_pixel_is_a_gif_even_for_a_bad_token_and_records_nothing(tenant_client):
    message = _email_message()
    with schema_context("beta"):
        foreign = _path(links.open_pixel_url(message=message, base_url=BASE))
    for url in (foreign, "/m/o/nonsense.gif", "/m/o/abc:def-ghi.gif"):
        response = tenant_client.get(url)
        assert response.status_code == 200 and response.content == PIXEL, url
    with alpha():
        assert Message.objects.get(pk=message.pk).opened_at is None


# --- click redirect -----------------------------------------------------------------------------------
def test_click_redirects_to_the_signed_url_and_records_the_click(tenant_client):
    message = _email_message()
    target = "https://example.test/book?ref=mail&x=1"
    url = _path(links.tracked_url(message=message, url=target, base_url=BASE))
    response = tenant_client.get(url)
    assert response.status_code == 302 and response["Location"] == target
    with alpha():
        message.refresh_from_db()
        assert message.status == "clicked" and message.clicked_at is not None


def test_click_refuses_an_altered_url_param_or_a_forged_token(tenant_client):
    message = _email_message()
    url = _path(links.tracked_url(message=message, url="https://example.test/", base_url=BASE))
    assert tenant_client.get(url, {"url": "https://evil.test/"}).status_code == 400
    assert tenant_client.get(url, {"url": "https://example.test/"}).status_code == 302
    forged = signing.dumps({"s": "alpha", "m": message.pk, "u": "https://evil.test/"})
    assert tenant_client.get(f"/m/c/{forged}/").status_code == 400
    with schema_context("beta"):
        foreign = _path(links.tracked_url(message=message, url="https://x.test/", base_url=BASE))
    assert tenant_client.get(foreign).status_code == 400


def test_only_web_urls_can_be_tracked(tenant):
    from django.core.exceptions import ValidationError

    message = _email_message()
    for bad in ("javascript:alert(1)", "//evil.test/", "/relative"):
        with pytest.raises(ValidationError):
            links.tracked_url(message=message, url=bad, base_url=BASE)
