"""`manage.py check --deploy`: sessions, password-reset and invitation links are signed with
SECRET_KEY, so the public development key must not reach production."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def secret_key_check(app_configs, **kwargs) -> list[Error]:
    if settings.SECRET_KEY != settings.DEVELOPMENT_SECRET_KEY:
        return []
    return [
        Error(
            "SECRET_KEY is the development key, which is public: anyone can forge sessions "
            "and signed links with it.",
            hint='Set SECRET_KEY to a long random value, e.g. the output of python -c "import '
            'secrets; print(secrets.token_urlsafe(50))".',
            id="accounts.E001",
        )
    ]
