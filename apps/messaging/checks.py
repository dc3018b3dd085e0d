"""`manage.py check --deploy`: provider secrets (SMS and voice accounts) are encrypted with
MESSAGING_ENCRYPTION_KEY; derived from SECRET_KEY they are only as safe as that key."""

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, Tags, register

HINT = (
    'Set MESSAGING_ENCRYPTION_KEY to the output of python -c "from cryptography.fernet import '
    'Fernet; print(Fernet.generate_key().decode())" and keep it: secrets stored with one key '
    "cannot be read with another."
)


@register(Tags.security, deploy=True)
def encryption_key_check(app_configs, **kwargs) -> list[Error]:
    from .services.settings import key_derived_from

    key = settings.MESSAGING_ENCRYPTION_KEY
    if not key or key.encode() == key_derived_from(settings.DEVELOPMENT_SECRET_KEY):
        return [
            Error(
                "MESSAGING_ENCRYPTION_KEY is not set (or is the public development key): "
                "provider secrets are encrypted with a key derived from SECRET_KEY.",
                hint=HINT,
                id="messaging.E001",
            )
        ]
    try:
        Fernet(key)
    except ValueError:  # binascii.Error too
        return [
            Error(
                "MESSAGING_ENCRYPTION_KEY is not a Fernet key (32 url-safe base64-encoded bytes).",
                hint=HINT,
                id="messaging.E002",
            )
        ]
    return []
