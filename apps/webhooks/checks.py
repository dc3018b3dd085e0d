"""`manage.py check --deploy`: webhooks must not reach private addresses nor plain http in
production (the secrets that sign them are encrypted with MESSAGING_ENCRYPTION_KEY, which
messaging's check covers)."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def webhooks_network_check(app_configs, **kwargs) -> list[Error]:
    errors = []
    if settings.WEBHOOKS_ALLOW_PRIVATE:
        errors.append(
            Error(
                "WEBHOOKS_ALLOW_PRIVATE is on: webhooks may reach addresses inside the network "
                "(loopback, private ranges, the cloud metadata service).",
                hint="Leave WEBHOOKS_ALLOW_PRIVATE unset in production.",
                id="webhooks.E001",
            )
        )
    if not settings.WEBHOOKS_REQUIRE_HTTPS:
        errors.append(
            Error(
                "WEBHOOKS_REQUIRE_HTTPS is off: endpoints may be plain http.",
                hint="Leave WEBHOOKS_REQUIRE_HTTPS unset (it follows DEBUG) in production.",
                id="webhooks.E002",
            )
        )
    return errors
