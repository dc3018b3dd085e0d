"""Loyalty in Chromium: a member opens their card at phone width from the link in the
message they were sent (as the outbox holds it) and sees their balance, voucher and QR
code; at the desk (1280 px) a voucher's code is typed and redeemed once. Every loyalty page
is also looked at, at both widths, with data and on a program with no members yet."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from apps.contacts.models import Contact
from apps.loyalty.models import ActivityFlag, FlagKind, Voucher
from apps.loyalty.services.card import member_card_send
from apps.loyalty.services.ledger import member_enrol, points_earn
from apps.loyalty.services.vouchers import reward_redeem
from apps.messaging.models import Message
from tests.e2e.helpers import DESKTOP, PHONE, log_in
from tests.loyalty.factories import RewardFactory, TierFactory
from tests.loyalty.helpers import program_set

pytestmark = pytest.mark.e2e


@pytest.fixture
def program(committed_tenant):
    program_set(tiers_enabled=True, referrals_enabled=True, expiry_months=12)
    TierFactory(name="Silver", threshold=300)
    TierFactory(name="Gold", threshold=1500)
    whitening = RewardFactory(name="Free whitening", cost_points=400, kind="free_service")
    RewardFactory(name="10 % off", cost_points=200, kind="percent_off", value=10)
    contact = Contact.objects.create(
        first_name="Emily", last_name="Carter", email="emily@example.test", language="en"
    )
    member = member_enrol(contact=contact)
    points_earn(member=member, points=900, source="purchase", idempotency_key="e2e:1")
    voucher = reward_redeem(member=member, reward=whitening, idempotency_key="e2e:r")
    message = member_card_send(member=member)
    ActivityFlag.objects.create(
        member=member,
        kind=FlagKind.MANY_EARNS,
        day=timezone.localdate(),
        detail="7 earns in 24 hours",
        created=timezone.now(),
    )
    return {"member": member, "voucher": voucher, "message": message}


def _card_path(message: Message) -> str:
    match = re.search(r"https?://[^\s/]+(/card/[^\s/]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_member_opens_the_card_from_the_message_on_a_phone(
    browser, live_server_port, program, screenshot
):
    message = Message.objects.get(pk=program["message"].pk)  # as the outbox holds it
    page = browser.new_context(viewport=PHONE).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"http://alpha.localhost:{live_server_port}{_card_path(message)}")
    assert page.get_by_role("heading", name="Emily's card").is_visible()
    assert page.locator(".loyalty-balance strong").inner_text() == "500"
    assert page.get_by_text(program["voucher"].code).is_visible()
    qr = page.locator(".loyalty-qr img")
    qr.wait_for()
    assert page.evaluate("(img) => img.naturalWidth > 0", qr.element_handle())
    assert page.get_by_text("Free whitening").first.is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the card scrolls sideways ({width}px)"
    screenshot(page, "loyalty-card-phone")
    assert errors == []


def test_the_desk_redeems_a_voucher_once_at_1280(browser, live_server_port, program, screenshot):
    code = program["voucher"].code
    page = browser.new_context(viewport=DESKTOP).new_page()
    log_in(page, live_server_port)
    page.goto(f"http://alpha.localhost:{live_server_port}/loyalty/counter/")
    page.get_by_label("Voucher code").fill(f"{code[:4]} {code[4:8]}-{code[8:]}".lower())
    page.get_by_role("button", name="Redeem").click()
    page.get_by_text("Redeemed: Free whitening").wait_for()
    screenshot(page, "loyalty-counter-redeemed-desktop")
    assert Voucher.objects.get(code=code).status == "redeemed"
    page.get_by_label("Voucher code").fill(code)
    page.get_by_role("button", name="Redeem").click()
    page.get_by_text("This voucher has been used already.").first.wait_for()
    screenshot(page, "loyalty-counter-used-desktop")


PAGES = [
    ("members", "/loyalty/"),
    ("member", "/loyalty/members/{member}/"),
    ("counter", "/loyalty/counter/"),
    ("settings", "/loyalty/settings/"),
    ("figures", "/loyalty/figures/"),
    ("flags", "/loyalty/flags/"),
    ("contact", "/contacts/{contact}/"),
    ("home", "/"),
]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_loyalty_page_with_data(browser, live_server_port, program, screenshot, viewport):
    width = "phone" if viewport is PHONE else "desktop"
    member = program["member"]
    page = browser.new_context(viewport=viewport).new_page()
    log_in(page, live_server_port)
    for name, path in PAGES:
        url = path.format(member=member.pk, contact=member.contact_id)
        response = page.goto(f"http://alpha.localhost:{live_server_port}{url}")
        assert response is not None and response.status == 200, url
        page.wait_for_load_state("networkidle")
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= viewport["width"] + 1, f"{name} scrolls sideways at {width}"
        screenshot(page, f"loyalty-{name}-{width}")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_loyalty_pages_of_a_new_program_are_empty_not_broken(
    browser, live_server_port, committed_tenant, screenshot, viewport
):
    width = "phone" if viewport is PHONE else "desktop"
    page = browser.new_context(viewport=viewport).new_page()
    log_in(page, live_server_port)
    for name, path, text in [
        ("members-empty", "/loyalty/", "No members yet."),
        ("figures-empty", "/loyalty/figures/", "No members yet"),
        ("settings-empty", "/loyalty/settings/", "No rewards yet"),
        ("counter-empty", "/loyalty/counter/", "Redeem a voucher"),
        ("flags-empty", "/loyalty/flags/", "Nothing to review"),
    ]:
        response = page.goto(f"http://alpha.localhost:{live_server_port}{path}")
        assert response is not None and response.status == 200
        assert page.get_by_text(text).first.is_visible()
        screenshot(page, f"loyalty-{name}-{width}")
