"""What the browser tests share: logging in as alpha's owner, the two widths."""

from __future__ import annotations

from tests.conftest import PASSWORD, owner_email

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}


def log_in(page, port: int, *, slug: str = "alpha") -> None:
    """Log in as the business's owner on its own host and wait for Home."""
    page.goto(f"http://{slug}.localhost:{port}/login/")
    page.get_by_label("Email").fill(owner_email(slug))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"http://{slug}.localhost:{port}/")


def owner_page(browser, port: int, viewport: dict) -> tuple:
    """A new page at this width, logged in as alpha's owner; with the list its script errors
    collect in (a test ends asserting it is empty)."""
    page = browser.new_context(viewport=viewport).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, port)
    return page, errors
