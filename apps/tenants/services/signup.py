"""The one-time token that logs a new owner in on the business's own host.

Sessions belong to a host: the sign-up page runs on the base domain, the dashboard on
`<slug>.<base domain>`, so the owner cannot be logged in where they signed up. The sign-up
therefore redirects to the business's host with a signed token naming the business and the
owner's e-mail; the accounts app redeems it there (`user_signup_login_redeem`). The token is
short-lived (SIGNUP_LOGIN_MAX_AGE), valid on that business's host only, and single-use: it is
good only while the owner has never logged in, and redeeming it records a login.
"""

from __future__ import annotations

from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..models import Tenant

SIGNUP_LOGIN_SALT = "tenants.signup-login"
SIGNUP_LOGIN_MAX_AGE = 120  # seconds: the redirect follows at once


def signup_login_token(*, tenant: Tenant, email: str) -> str:
    """A token that logs the business's new owner in once on its own host."""
    payload = {"schema": tenant.schema_name, "email": (email or "").strip().lower()}
    return signing.dumps(payload, salt=SIGNUP_LOGIN_SALT)


def signup_login_token_read(*, token: str, tenant: Tenant) -> str:
    """The owner's e-mail a fresh token for this business was made for; a ValidationError for
    an expired or altered token, or one made for another business."""
    refused = ValidationError(
        {"token": _("This sign-in link has expired or is not for this business.")}
    )
    try:
        payload = signing.loads(token, salt=SIGNUP_LOGIN_SALT, max_age=SIGNUP_LOGIN_MAX_AGE)
    except signing.BadSignature as exc:  # SignatureExpired is one too
        raise refused from exc
    if not isinstance(payload, dict) or payload.get("schema") != tenant.schema_name:
        raise refused
    email = payload.get("email")
    if not isinstance(email, str) or not email:
        raise refused
    return email
