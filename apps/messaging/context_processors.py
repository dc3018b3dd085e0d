"""What every staff page needs from messaging: which channels are in test mode (their provider
is a stand-in, so nothing reaches customers), for the banner and the marks on messages."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject


def test_mode(request) -> dict:
    """Read only when a page shows it (staff pages), once per request, and from the cache
    across requests: see `channels_in_test_mode`."""
    tenant = getattr(request, "tenant", None)
    if tenant is None or getattr(tenant, "schema_name", "public") == "public":
        return {}

    def channels() -> list[str]:
        from .services.settings import channels_in_test_mode

        return channels_in_test_mode()

    return {"messaging_test_mode": SimpleLazyObject(channels)}
