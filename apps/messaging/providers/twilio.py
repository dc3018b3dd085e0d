"""SMS and voice through Twilio's REST API (plain urllib, no SDK): a text message, or a call
that speaks the text. Server errors and timeouts are transient; a refused request is not."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from xml.sax.saxutils import escape

from django.conf import settings
from django.urls import reverse

from .base import Provider, SendResult

TIMEOUT_SECONDS = 10
# Twilio's <Say> voices by the contact's language; anything else is read in English.
SAY_LANGUAGES = {
    "en": "en-US",
    "fr": "fr-FR",
    "es": "es-ES",
    "de": "de-DE",
    "it": "it-IT",
    "pt": "pt-BR",
    "nl": "nl-NL",
}


def twiml_say(text: str, language: str) -> str:
    """The TwiML of a call that speaks `text` in the contact's language."""
    lang = SAY_LANGUAGES.get((language or "en")[:2].lower(), "en-US")
    return f'<Response><Say language="{lang}">{escape(text)}</Say></Response>'


def status_callback_url() -> str:
    """Where Twilio reports delivery: this business's own webhook."""
    from apps.tenants.services import tenant_current, tenant_url

    return tenant_url(tenant_current(), reverse("messaging:twilio_status"))


class TwilioProvider(Provider):
    kind = "twilio"

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        from_number: str,
        status_callback: str = "",
        base_url: str = "",
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.from_number = from_number
        self.status_callback = status_callback
        self.base_url = (base_url or settings.TWILIO_API_BASE).rstrip("/")

    def send(self, message, *, headers=None, html=None, attachments=None) -> SendResult:
        fields = {"To": message.to, "From": self.from_number}
        if message.channel == "voice":
            resource = "Calls.json"
            fields["Twiml"] = twiml_say(message.body, message.language)
        else:
            resource = "Messages.json"
            fields["Body"] = message.body
        if self.status_callback:
            fields["StatusCallback"] = self.status_callback
        return self._post(resource, fields)

    def _post(self, resource: str, fields: dict[str, str]) -> SendResult:
        sid = urllib.parse.quote(self.account_sid, safe="")
        url = f"{self.base_url}/2010-04-01/Accounts/{sid}/{resource}"
        auth = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        request = urllib.request.Request(
            url,
            data=urllib.parse.urlencode(fields).encode(),
            method="POST",
            headers={
                "Authorization": f"Basic {auth}",
                "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                payload = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            return SendResult(
                ok=False, error=_error_text(exc)[:300], transient=exc.code >= 500 or exc.code == 429
            )
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            return SendResult(ok=False, error=f"Twilio unreachable: {exc}"[:300], transient=True)
        except ValueError:
            return SendResult(
                ok=False, error="Twilio answered with something not JSON.", transient=True
            )
        sid = payload.get("sid") or ""
        if not sid:
            return SendResult(
                ok=False, error="Twilio answered without a message id.", transient=True
            )
        return SendResult(provider_message_id=sid, ok=True)


def _error_text(exc: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(exc.read() or b"{}")
    except ValueError:
        body = {}
    detail = body.get("message") or exc.reason
    code = f" (code {body['code']})" if body.get("code") else ""
    return f"Twilio {exc.code}: {detail}{code}"
