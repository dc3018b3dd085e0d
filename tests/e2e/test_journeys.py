"""Build a two-step journey in the builder, activate it, trigger it from the contact page
("Order ready"), and see the contact move through it and the message in the outbox; at desktop
and phone width, with the pages' screenshots for review."""

from __future__ import annotations

import time

import pytest

from apps.accounts.models import User
from apps.contacts.models import TimelineEvent
from apps.contacts.services import consent_set, contact_create
from apps.journeys.models import Enrollment, Journey
from apps.journeys.services import journeys_on_events
from apps.messaging.models import Message
from apps.scheduling.models import DueWork
from apps.scheduling.services import due_work_sweep
from tests.conftest import owner_email
from tests.e2e.helpers import DESKTOP, PHONE, owner_page

pytestmark = pytest.mark.e2e


@pytest.fixture
def customer(committed_tenant):
    owner = User.objects.get(email=owner_email("alpha"))
    contact = contact_create(
        actor=owner,
        first_name="Lucie",
        last_name="Aubrac",
        email="lucie.journey@example.test",
        time_zone="Etc/GMT-12",  # no quiet hours hold the e-mail back, whatever the hour
    )
    consent_set(contact=contact, channel="email", status="opted_in", method="form", actor=owner)
    yield contact
    Message.objects.filter(contact=contact).delete()
    Enrollment.objects.all().delete()
    Journey.objects.update(live_version=None)
    Journey.objects.all().delete()
    DueWork.objects.filter(kind__startswith="journeys.").delete()
    TimelineEvent.objects.filter(contact=contact).delete()
    contact.delete()


def _move_on(contact, timeout: float = 30) -> None:
    """What the worker does: the subscriber enters the contact, due work runs the steps. The
    events are handed to the journeys subscriber directly: its cursor waits for every older
    transaction on the server to end, and other databases' test runs can hold one open for
    minutes (the real delivery is tested with a worker in tests/journeys/test_worker.py)."""
    journeys_on_events(list(TimelineEvent.objects.filter(contact=contact).order_by("pk")))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        due_work_sweep()
        if Enrollment.objects.filter(contact=contact, status="completed").exists():
            return
        time.sleep(0.2)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_build_activate_trigger_and_see_the_message(
    browser, live_server_port, customer, screenshot, viewport
):
    width = "phone" if viewport is PHONE else "desktop"
    base = f"http://alpha.localhost:{live_server_port}"
    page, errors = owner_page(browser, live_server_port, viewport)

    page.goto(f"{base}/journeys/")
    screenshot(page, f"{width}-journeys-empty")
    page.get_by_role("button", name="Create").click()
    page.wait_for_url(f"{base}/journeys/*/")
    page.get_by_label("Name").fill("Order ready")
    page.get_by_label("Starts with").select_option("event")
    page.locator("#id_settings-event_type").select_option("order.ready")
    page.get_by_role("button", name="Save").click()

    # the step form shows the inputs of the chosen kind, swapped in by htmx
    page.get_by_label("Kind of step").select_option("webhook")
    page.get_by_label("Webhook endpoint").wait_for()
    assert page.locator("#id_step-text").count() == 0
    screenshot(page, f"{width}-journey-builder-webhook")
    with page.expect_response(lambda answer: "/step-fields/" in answer.url):
        page.get_by_label("Kind of step").select_option("send")
    page.locator("#id_step-channel").select_option("email")
    page.get_by_label("Subject (e-mail)").fill("Ready")
    page.locator("#id_step-text").fill("Your order {order_id} is ready, {first_name}.")
    page.get_by_role("button", name="Add step").click()
    with page.expect_response(lambda answer: "/step-fields/" in answer.url):
        page.get_by_label("Kind of step").select_option("tag")
    page.get_by_label("Tag to add").fill("collected")
    page.get_by_role("button", name="Add step").click()
    assert page.locator(".journey-step--send").count() == 1
    assert page.locator(".journey-step--tag").count() == 1
    screenshot(page, f"{width}-journey-builder")
    page.get_by_role("button", name="Activate").click()
    page.get_by_text("Active").first.wait_for()

    page.goto(f"{base}/contacts/{customer.pk}/")
    panel = page.locator("#journeys")
    panel.get_by_label("What happened").select_option("order.ready")
    panel.get_by_label("Reference (order or invoice number)").fill("A-17")
    panel.get_by_role("button", name="Post").click()
    page.locator("#journeys").get_by_text("Recorded").wait_for()

    _move_on(customer)
    page.goto(f"{base}/contacts/{customer.pk}/")
    page.locator("#journeys").get_by_text("Completed").wait_for()
    screenshot(page, f"{width}-contact-journeys")
    page.goto(f"{base}/messages/")
    page.locator("#message-table").get_by_text("Lucie Aubrac").first.wait_for()
    assert page.locator("#message-table").get_by_text("Journey message").count() >= 1
    message = Message.objects.get(contact=customer)
    assert "Your order A-17 is ready, Lucie." in message.body
    journey = Journey.objects.get(name="Order ready")
    page.goto(f"{base}/journeys/{journey.pk}/figures/")
    screenshot(page, f"{width}-journey-figures")
    page.goto(f"{base}/journeys/{journey.pk}/enrollments/")
    screenshot(page, f"{width}-journey-enrollments")
    assert errors == []


@pytest.fixture
def no_offers(committed_tenant):
    from apps.journeys.models import Offer

    yield
    Offer.objects.all().delete()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_add_an_offer_with_a_points_reward_and_see_it_in_the_catalogue(
    browser, live_server_port, no_offers, screenshot, viewport
):
    from apps.journeys.models import Offer

    width = "phone" if viewport is PHONE else "desktop"
    base = f"http://alpha.localhost:{live_server_port}"
    page, errors = owner_page(browser, live_server_port, viewport)

    page.goto(f"{base}/journeys/")
    page.get_by_role("link", name="Offers").click()
    page.wait_for_url(f"{base}/journeys/offers/")
    assert page.get_by_text("No offer yet").is_visible()
    screenshot(page, f"{width}-offers-empty")
    page.get_by_label("Name").fill("Payment plan")
    page.get_by_label("Accepted when").select_option("invoice.paid")
    page.get_by_label("Message").fill("Pay in three parts, {first_name}, no fees.")
    page.get_by_label("Priority").fill("5")
    page.get_by_label("Accepting it gives").select_option("points")
    page.get_by_label("Points").fill("0")
    page.get_by_role("button", name="Add offer").click()
    assert page.locator("#points-errors").is_visible()  # the field says what is wrong
    screenshot(page, f"{width}-offers-error")
    page.get_by_label("Points").fill("200")
    page.get_by_role("button", name="Add offer").click()

    page.wait_for_url(f"{base}/journeys/offers/")
    assert page.get_by_text("Offer “Payment plan” added.").is_visible()
    row = page.get_by_role("row", name="Payment plan")
    assert "200 points" in row.inner_text()
    screenshot(page, f"{width}-offers-list")
    assert Offer.objects.get().reward == {"type": "points", "points": 200, "reason": ""}
    page.get_by_role("link", name="Payment plan").click()
    page.wait_for_url(f"{base}/journeys/offers/*/")
    screenshot(page, f"{width}-offer-detail")
    assert errors == []
