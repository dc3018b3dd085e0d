"""Twilio's callbacks: delivery status and incoming texts. No login and no CSRF token; the
request must carry Twilio's signature made with this business's auth token."""

from __future__ import annotations

import base64
import hashlib
import hmac

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

# Twilio's MessageStatus (SMS) and CallStatus (voice) in this app's words; in-between states
# (queued, sending, sent, ringing, in-progress) change nothing.
TWILIO_STATUSES = {
    "delivered": "delivered",
    "undelivered": "failed",
    "failed": "failed",
    "completed": "delivered",
    "busy": "failed",
    "no-answer": "failed",
    "canceled": "failed",
}
# A call that was picked up (Twilio reports "in-progress" on answer when asked, "completed"
# when it ends) was answered: it counts like an opened e-mail, unless answering machine
# detection says a machine took it.
ANSWERED_CALL = frozenset({"in-progress", "completed"})
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def twilio_signature(*, url: str, params: dict[str, str], auth_token: str) -> str:
    """Twilio's X-Twilio-Signature: HMAC-SHA1 of the URL followed by each POST parameter's
    name and value in name order, base64-encoded."""
    payload = url + "".join(f"{name}{params[name]}" for name in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _verified_params(request) -> dict[str, str]:
    """The POST parameters, once the signature is proven; otherwise 403 (nothing changes)."""
    from ..services.settings import provider_secret

    given = request.headers.get("X-Twilio-Signature", "")
    token = provider_secret()
    if not given or not token:
        raise PermissionDenied
    params = {name: request.POST.get(name, "") for name in request.POST}
    expected = twilio_signature(url=request.build_absolute_uri(), params=params, auth_token=token)
    if not hmac.compare_digest(expected.encode(), given.encode()):
        raise PermissionDenied
    return params


def _twiml() -> HttpResponse:
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


@csrf_exempt
@require_POST
def twilio_status(request):
    from ..services.sending import message_status_update

    params = _verified_params(request)
    sid = params.get("MessageSid") or params.get("CallSid") or ""
    twilio_status = (params.get("MessageStatus") or params.get("CallStatus") or "").lower()
    status = TWILIO_STATUSES.get(twilio_status)
    is_call = bool(params.get("CallSid")) and not params.get("MessageSid")
    if is_call and twilio_status in ANSWERED_CALL:
        answered_by = (params.get("AnsweredBy") or "").lower()
        status = "delivered" if answered_by.startswith(("machine", "fax")) else "opened"
    if sid and status:
        error = ""
        if status == "failed":
            code = params.get("ErrorCode", "")
            error = f"Twilio: {twilio_status}" + (f" (error {code})" if code else "")
        message_status_update(provider_message_id=sid, status=status, error=error)
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def twilio_inbound(request):
    from ..services.inbound import inbound_sms_receive

    params = _verified_params(request)
    inbound_sms_receive(
        from_number=params.get("From", ""),
        body=params.get("Body", ""),
        provider_message_id=params.get("MessageSid", "")[:100],
    )
    return _twiml()
