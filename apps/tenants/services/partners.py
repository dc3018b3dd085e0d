"""Partner apps, registered once on the public site for OAuth with any business."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from oauth2_provider.models import get_application_model


def partner_app_register(
    *, name: str, redirect_uris: str, contact_email: str, website: str = ""
) -> tuple[object, str]:
    """Register a partner's app (a confidential client using the authorisation-code flow with
    PKCE) and return it with its client secret, which is kept only as a hash: shown once."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give your app the name businesses will see.")})
    uris = " ".join((redirect_uris or "").split())
    if not uris:
        raise ValidationError(
            {"redirect_uris": _("Give at least one address to send people back to.")}
        )
    application_model = get_application_model()
    raw_secret = secrets.token_urlsafe(40)
    app = application_model(
        name=name,
        redirect_uris=uris,
        contact_email=(contact_email or "").strip().lower(),
        website=(website or "").strip(),
        client_type=application_model.CLIENT_CONFIDENTIAL,
        authorization_grant_type=application_model.GRANT_AUTHORIZATION_CODE,
        client_secret=raw_secret,
        hash_client_secret=True,
        skip_authorization=False,
    )
    try:
        app.full_clean(exclude=["client_id", "client_secret", "user"])
    except ValidationError as exc:
        raise ValidationError(
            {
                field: messages
                for field, messages in exc.message_dict.items()
                if field in {"name", "redirect_uris", "contact_email", "website"}
            }
            or {"redirect_uris": exc.messages}
        ) from exc
    with transaction.atomic():
        app.save()
    return app, raw_secret
