"""Providers: the outbox, email with unsubscribe headers, and the real Twilio integration
against a local HTTP server that plays Twilio."""

import base64
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail

from apps.messaging.models import Message
from apps.messaging.providers import (
    EmailProvider,
    OutboxProvider,
    TwilioProvider,
    provider_for,
    unsubscribe_headers,
)
from apps.messaging.services.settings import messaging_settings_update, provider_secret_set

SID, TOKEN, FROM = "AC" + "1" * 32, "secret-auth-token-0123", "+4915112345678"


class FakeTwilio(BaseHTTPRequestHandler):
    """Answers like Twilio's REST API; `reply` sets the next status; requests are kept."""

    requests: list = []
    reply_status = 201

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length", 0))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        auth = self.headers.get("Authorization", "")
        type(self).requests.append({"path": self.path, "auth": auth, "form": form})
        expected = "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
        if auth != expected:
            status, body = 401, {"code": 20003, "message": "Authenticate"}
        elif self.reply_status >= 400:
            status, body = self.reply_status, {"code": 21211, "message": "Invalid 'To' number"}
        else:
            kind = "CA" if self.path.endswith("/Calls.json") else "SM"
            status, body = 201, {"sid": f"{kind}{'a' * 32}", "status": "queued"}
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def twilio_server():
    FakeTwilio.requests, FakeTwilio.reply_status = [], 201
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTwilio)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", FakeTwilio
    server.shutdown()
    server.server_close()


def _provider(base, token=TOKEN):
    return TwilioProvider(
        account_sid=SID,
        auth_token=token,
        from_number=FROM,
        status_callback="https://alpha.example/webhooks/twilio/status/",
        base_url=base,
    )


def _message(**kw):
    values = dict(
        channel="sms",
        to="+4915199999999",
        body="Your visit is tomorrow at 10:00.",
        language="en",
        subject="",
    )
    values.update(kw)
    return Message(**values)


def test_twilio_sms_posts_the_form_with_basic_auth(twilio_server):
    base, fake = twilio_server
    result = _provider(base).send(_message())
    assert result.ok and result.provider_message_id == "SM" + "a" * 32
    (request,) = fake.requests
    assert request["path"] == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert request["form"] == {
        "To": ["+4915199999999"],
        "From": [FROM],
        "Body": ["Your visit is tomorrow at 10:00."],
        "StatusCallback": ["https://alpha.example/webhooks/twilio/status/"],
    }


def test_twilio_voice_call_speaks_the_text_in_the_contacts_language(twilio_server):
    base, fake = twilio_server
    result = _provider(base).send(
        _message(channel="voice", body="Votre rendez-vous & demain", language="fr")
    )
    assert result.ok and result.provider_message_id.startswith("CA")
    (request,) = fake.requests
    assert request["path"] == f"/2010-04-01/Accounts/{SID}/Calls.json"
    assert request["form"]["Twiml"] == [
        '<Response><Say language="fr-FR">Votre rendez-vous &amp; demain</Say></Response>'
    ]
    assert "Body" not in request["form"]


def test_twilio_server_error_is_transient(twilio_server):
    base, fake = twilio_server
    fake.reply_status = 500
    result = _provider(base).send(_message())
    assert (result.ok, result.transient) == (False, True)
    assert "500" in result.error


def test_twilio_refused_request_is_not_transient(twilio_server):
    base, fake = twilio_server
    fake.reply_status = 400
    result = _provider(base).send(_message())
    assert (result.ok, result.transient) == (False, False)
    assert "Invalid 'To' number" in result.error and "21211" in result.error


def test_twilio_wrong_token_is_not_transient(twilio_server):
    base, _fake = twilio_server
    result = _provider(base, token="wrong").send(_message())
    assert (result.ok, result.transient) == (False, False)


def test_twilio_unreachable_is_transient():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTwilio)
    port = server.server_address[1]
    server.server_close()  # nothing listens there any more
    result = _provider(f"http://127.0.0.1:{port}").send(_message())
    assert (result.ok, result.transient) == (False, True)


def test_outbox_sends_nothing_and_gives_an_id():
    first, second = OutboxProvider().send(_message()), OutboxProvider().send(_message())
    assert first.ok and first.provider_message_id.startswith("outbox-")
    assert first.provider_message_id != second.provider_message_id


@pytest.mark.django_db
def test_email_carries_one_click_unsubscribe_headers(tenant, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    messaging_settings_update(actor=None, email_from="hello@alpha-dental.test")
    headers = unsubscribe_headers("https://alpha.localhost/m/u/abc/")
    result = EmailProvider().send(
        _message(channel="email", to="pat@example.test", subject="Reminder", body="Hi Pat"),
        headers=headers,
    )
    assert result.ok
    (sent,) = mail.outbox
    assert (sent.to, sent.from_email, sent.subject, sent.body) == (
        ["pat@example.test"],
        "Alpha Dental <hello@alpha-dental.test>",
        "Reminder",
        "Hi Pat",
    )
    assert sent.extra_headers["List-Unsubscribe"] == "<https://alpha.localhost/m/u/abc/>"
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent.extra_headers["Message-ID"].strip("<>") == result.provider_message_id


@pytest.mark.django_db
def test_email_falls_back_to_the_platform_sender(tenant, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "CX Suite <no-reply@cx.example>"
    EmailProvider().send(_message(channel="email", to="pat@example.test", subject="S"))
    assert mail.outbox[0].from_email == "Alpha Dental <no-reply@cx.example>"
    assert mail.outbox[0].reply_to == []  # the business has no address of its own yet
    assert "List-Unsubscribe" not in mail.outbox[0].extra_headers


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "display"),
    [
        ("Bright Smile Dental", "Bright Smile Dental"),
        ("Zahnarztpraxis Müller", "Zahnarztpraxis Müller"),
        ("Smith, Jones & Co.", "Smith, Jones & Co."),
        ('Dr. "Bob" <evil@x.test>\nBcc: all@x.test', 'Dr. "Bob" <evil@x.test> Bcc: all@x.test'),
    ],
)
def test_email_goes_out_as_the_business_and_replies_reach_it(
    tenant, settings, monkeypatch, name, display
):
    """The display name is the business's, properly encoded (commas, accents, quotes, no line
    breaks); the address stays the platform's; Reply-To is the business's own address."""
    import email
    import email.policy

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "CX Suite <no-reply@cx.example>"
    monkeypatch.setattr(tenant, "name", name)  # the session's business: changed for this test
    monkeypatch.setattr(tenant, "email", "front@bright-smile.example")
    EmailProvider().send(_message(channel="email", to="pat@example.test", subject="S"))
    raw = mail.outbox[0].message().as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    (sender,) = parsed["From"].addresses
    assert (sender.display_name, sender.addr_spec) == (display, "no-reply@cx.example")
    assert parsed["Reply-To"].addresses[0].addr_spec == "front@bright-smile.example"
    assert "Bcc" not in parsed


@pytest.mark.django_db
def test_provider_for_follows_the_settings(tenant):
    assert isinstance(provider_for("sms"), OutboxProvider)
    assert isinstance(provider_for("voice"), OutboxProvider)
    assert isinstance(provider_for("email"), EmailProvider)
    messaging_settings_update(
        actor=None, sms_provider="twilio", provider_account=SID, provider_from_number=FROM
    )
    provider_secret_set(secret=TOKEN)
    sms = provider_for("sms")
    assert isinstance(sms, TwilioProvider)
    assert (sms.account_sid, sms.auth_token, sms.from_number) == (SID, TOKEN, FROM)
    assert "//alpha." in sms.status_callback
    assert sms.status_callback.endswith("/webhooks/twilio/status/")
    assert isinstance(provider_for("voice"), OutboxProvider)
