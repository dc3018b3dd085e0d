"""The developer page a partner follows and the API reference it points to render in Chromium
at 1280 px: every section there, the event catalogue's samples open, no page error."""

from __future__ import annotations

import json

import pytest

from tests.e2e.helpers import PHONE

pytestmark = pytest.mark.e2e


def _page_error(message) -> bool:
    return message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico")


def test_the_developer_page_and_swagger_ui_render(
    browser, live_server_port, committed_tenant, screenshot
):
    base = f"http://alpha.localhost:{live_server_port}"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if _page_error(msg) else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    response = page.goto(f"{base}/developers/")
    assert response is not None and response.status == 200
    for section in (
        "quick-start",
        "scopes",
        "oauth",
        "webhooks",
        "events",
        "pagination",
        "errors",
        "rate-limits",
        "idempotency",
    ):
        assert page.locator(f"#{section}").is_visible(), section
    samples = page.locator(".dev-event")
    assert samples.count() >= 10
    first = samples.first
    first.locator("summary").click()
    body = json.loads(first.locator("pre").inner_text())
    assert set(body) == {"type", "timestamp", "data"}
    assert "contacts:read" in page.locator("#scopes").inner_text()
    screenshot(page, "developers")

    page.get_by_role("link", name="API reference").click()
    page.locator(".opblock").first.wait_for()
    assert page.locator(".errors-wrapper").count() == 0
    screenshot(page, "developers-api-reference")
    assert errors == []

    phone = browser.new_context(viewport=PHONE).new_page()
    phone.goto(f"{base}/developers/")
    # nothing wider than the screen but the code blocks, which scroll on their own
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    screenshot(phone, "developers-phone")


def test_an_owner_authorises_a_partner_app_and_withdraws_it(
    browser, live_server_port, committed_tenant, screenshot
):
    """The consent page and Settings → Authorised apps, at both widths, as the owner uses them."""
    from urllib.parse import parse_qs, urlencode, urlparse

    from oauth2_provider.models import get_application_model

    from tests.accounts.factories import partner_app_create
    from tests.e2e.helpers import DESKTOP, log_in

    app, _secret = partner_app_create(name="Smile Reviews")
    try:
        base = f"http://alpha.localhost:{live_server_port}"
        for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page = browser.new_context(viewport=viewport).new_page()
            landed: list[str] = []
            page.route(
                "https://partner.example/**",
                lambda route, request, landed=landed: (
                    landed.append(request.url),
                    route.fulfill(status=200, body="ok"),
                ),
            )
            log_in(page, live_server_port)
            query = urlencode(
                {
                    "response_type": "code",
                    "client_id": app.client_id,
                    "redirect_uri": "https://partner.example/cb",
                    "scope": "contacts:read appointments:write",
                    "state": "s1",
                    "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                    "code_challenge_method": "S256",
                }
            )
            page.goto(f"{base}/oauth/authorize/?{query}")
            page.get_by_role("heading", name="Authorise “Smile Reviews”?").wait_for()
            page.get_by_label("Read and change appointments").uncheck()
            screenshot(page, f"oauth-authorise-{name}")
            page.get_by_role("button", name="Authorise").click()
            page.wait_for_url("https://partner.example/**")
            assert parse_qs(urlparse(landed[-1]).query)["state"] == ["s1"]

            page.goto(f"{base}/settings/apps/")
            row = page.get_by_role("row", name="Smile Reviews")
            assert "contacts:read" in row.inner_text()
            screenshot(page, f"oauth-apps-{name}")
            page.on("dialog", lambda dialog: dialog.accept())
            row.get_by_role("button", name="Withdraw access").click()
            page.get_by_text("No partner app can reach your business").wait_for()
    finally:
        get_application_model().objects.all().delete()
