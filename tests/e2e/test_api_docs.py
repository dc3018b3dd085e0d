"""The API docs page (Swagger UI) renders the schema: every operation listed, no schema error,
and an operation opened shows its error answers with the error body.

Swagger UI (5.x, from drf-spectacular-sidecar) draws a long list of operations lazily: from 150
tags and operations on, only the ones near the window are in the page, and scrolling draws the
next ones. So the test scrolls through the whole list and collects every operation drawn."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

METHODS = ("get", "post", "put", "patch", "delete")
# resolves once the page has drawn what the last scroll asked for
NEXT_FRAME = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
AT_BOTTOM = "() => scrollY + innerHeight >= document.documentElement.scrollHeight - 1"


def _page_error(message) -> bool:
    """An error of the page (Chromium's own request for /favicon.ico may or may not come)."""
    return message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico")


def _operations(document: dict) -> dict[str, set[str]]:
    """The element id Swagger UI gives each operation, with the status codes it answers."""
    return {
        f"operations-{operation['tags'][0]}-{operation['operationId']}": set(operation["responses"])
        for item in document["paths"].values()
        for method, operation in item.items()
        if method in METHODS
    }


def _drawn_operations(page) -> list[str]:
    """Every operation Swagger UI draws from the top of the list to its end, in order."""
    drawn: list[str] = []
    while True:
        page.evaluate(NEXT_FRAME)
        for element_id in page.eval_on_selector_all(".opblock", "els => els.map(e => e.id)"):
            if element_id not in drawn:
                drawn.append(element_id)
        if page.evaluate(AT_BOTTOM):
            return drawn
        page.mouse.wheel(0, 400)  # less than half the window: each operation shows at least once


def _answer_codes(page, element_id: str) -> set[str]:
    operation = page.locator(f"#{element_id}")
    operation.locator(".opblock-summary-control").click()
    codes = operation.locator(".responses-table tbody .response-col_status")
    codes.first.wait_for()
    return {code.strip() for code in codes.all_inner_texts()}


def test_the_docs_page_lists_every_operation_with_its_error_answers(
    browser, live_server_port, committed_tenant, screenshot
):
    base = f"http://alpha.localhost:{live_server_port}"
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if _page_error(msg) else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    document = json.loads(page.goto(f"{base}/api/schema/?format=json").text())
    operations = _operations(document)

    page.goto(f"{base}/api/docs/")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".errors-wrapper").count() == 0  # Swagger UI's schema errors
    drawn = _drawn_operations(page)
    assert sorted(drawn) == sorted(operations)

    # the last operation is only drawn once the list is scrolled to its end
    last = drawn[-1]
    expect(page.locator(f"#{last}")).to_be_visible()
    assert _answer_codes(page, last) == operations[last]
    assert {"400", "401", "403", "429", "500"} <= operations[last]

    page.evaluate("() => scrollTo(0, 0)")
    booking = "operations-appointments-appointments_create"
    codes = _answer_codes(page, booking)
    assert codes == operations[booking]
    assert {"201", "400", "401", "403", "409", "413", "415", "422", "429", "500"} <= codes
    assert page.locator(".errors-wrapper").count() == 0
    screenshot(page, "api-docs")
    assert errors == []
