"""The staff pages of loyalty: the members list, the member page and its statement, the
manager's adjustment, issuing a reward, the counter, the program's settings with the
preview and the losses shown before saving, tiers and rewards, the home card and the
contact panel. Every page: the roles that may and may not, the outsider, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from apps.loyalty.models import EntryKind, LedgerEntry, Program, ProgramVersion, Voucher
from apps.loyalty.services.ledger import points_earn
from apps.loyalty.services.vouchers import reward_redeem
from tests.conftest import alpha
from tests.contacts.factories import ContactFactory
from tests.loyalty.factories import MemberFactory, RewardFactory, TierFactory
from tests.loyalty.helpers import program_set

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
LIST = "/loyalty/"
COUNTER = "/loyalty/counter/"
SETTINGS = "/loyalty/settings/"
PREVIEW = "/loyalty/settings/preview/"
FIGURES = "/loyalty/figures/"
HOME = "/loyalty/home/summary/"


def member_with(points: int, *, name: str = "Ada", key: str = "k", **contact):
    member = MemberFactory(contact__first_name=name, contact__last_name="Lovelace", **contact)
    if points:
        points_earn(
            member=member,
            points=points,
            source="staff",
            idempotency_key=f"{key}:{member.pk}",
            at=timezone.now() - dt.timedelta(days=30),
        )
    member.refresh_from_db()
    return member


def detail(member) -> str:
    return f"/loyalty/members/{member.pk}/"


# --- members list ---------------------------------------------------------------------------
def test_list_shows_members_with_tier_and_balance_in_bounded_queries(
    tenant, viewer_client, django_assert_max_num_queries
):
    gold = TierFactory(name="Gold", threshold=500)
    first = member_with(120, name="Ada")
    first.tier = gold
    first.save()
    for n in range(12):
        member_with(n + 1, name=f"Zed{n}", key=f"z{n}")
    with django_assert_max_num_queries(10):
        response = viewer_client.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ada Lovelace" in html and ">Gold<" in html and "<strong>120</strong>" in html
    with django_assert_max_num_queries(10):
        response = viewer_client.get(LIST, {"q": "ada"}, **HTMX, HTTP_HX_TARGET="member-results")
    html = response.content.decode()
    assert "Ada Lovelace" in html and "Zed3" not in html and "<!doctype" not in html
    html = viewer_client.get(LIST, {"tier": str(gold.pk)}).content.decode()
    assert "Ada Lovelace" in html and "Zed3" not in html
    html = viewer_client.get(LIST, {"tier": "none"}).content.decode()
    assert "Ada Lovelace" not in html and "Zed3" in html


def test_list_is_empty_on_a_new_program(tenant, owner_client):
    html = owner_client.get(LIST).content.decode()
    assert "No members yet." in html


# --- the member page -------------------------------------------------------------------------
def test_member_page_explains_the_balance_entry_by_entry(
    tenant, viewer_client, manager, django_assert_max_num_queries
):
    program_set(tiers_enabled=True, expiry_months=12)
    TierFactory(name="Silver", threshold=100)
    TierFactory(name="Gold", threshold=1000)
    member = member_with(300)
    reward = RewardFactory(name="Free whitening", cost_points=100)
    voucher = reward_redeem(member=member, reward=reward, idempotency_key="r1", staff=manager)
    from apps.loyalty.services.ledger import points_adjust

    points_adjust(member=member, points=-50, reason="Duplicate visit", staff=manager)
    member.refresh_from_db()
    assert member.balance == 150
    with django_assert_max_num_queries(16):
        response = viewer_client.get(detail(member))
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "Earned +300, redeemed -100, expired 0, adjusted -50, reversed 0: today's balance is 150."
        in html
    )
    assert "Duplicate visit" in html and voucher.code in html and "Free whitening" in html
    assert "Silver" in html and "700 more points earned within 12 months reach Gold." in html
    assert "Adjust the points" not in html  # viewers do not adjust
    assert "Issue a reward" not in html


def test_member_page_of_another_business_or_unknown_is_404(tenant, outsider_client, owner_client):
    member = member_with(10)
    assert outsider_client.get(detail(member)).status_code in (302, 403, 404)
    assert owner_client.get("/loyalty/members/999999/").status_code == 404


def test_only_a_manager_adjusts_with_a_reason(tenant, manager_client, staff_client, manager):
    member = member_with(100)
    url = f"{detail(member)}adjust/"
    assert staff_client.post(url, {"points": 50, "reason": "gift"}).status_code == 403
    response = manager_client.post(url, {"points": 50, "reason": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    response = manager_client.post(url, {"points": -500, "reason": "oops"})
    assert response.status_code == 400 and "only 100 points" in response.content.decode()
    response = manager_client.post(url, {"points": 50, "reason": "Birthday gift"})
    assert response.status_code == 302
    with alpha():
        member.refresh_from_db()
        entry = LedgerEntry.objects.filter(member=member, kind=EntryKind.ADJUST).get()
    assert member.balance == 150 and entry.reason == "Birthday gift" and entry.staff == manager


def test_staff_issue_a_reward_from_the_member_page(tenant, staff_client, viewer_client):
    member = member_with(250)
    reward = RewardFactory(name="Toothbrush", cost_points=200)
    url = f"{detail(member)}issue/"
    assert viewer_client.post(url, {"reward": reward.pk, "nonce": "a"}).status_code == 403
    response = staff_client.post(url, {"reward": reward.pk, "nonce": "a"})
    assert response.status_code == 302
    again = staff_client.post(url, {"reward": reward.pk, "nonce": "a"})  # a double click
    assert again.status_code in (302, 400)
    with alpha():
        member.refresh_from_db()
        assert member.balance == 50
        assert Voucher.objects.filter(member=member).count() == 1


def test_send_card_puts_the_signed_link_in_the_outbox(tenant, staff_client):
    from apps.messaging.models import Message

    member = member_with(10, contact__email="ada@example.com")
    response = staff_client.post(f"{detail(member)}send-card/")
    assert response.status_code == 302
    with alpha():
        message = Message.objects.get(contact=member.contact)
    assert "/card/" in message.body


# --- the counter -------------------------------------------------------------------------------
def test_counter_checks_then_redeems_a_voucher_once(tenant, staff_client, viewer_client, manager):
    member = member_with(300)
    voucher = reward_redeem(
        member=member, reward=RewardFactory(name="Polish"), idempotency_key="c1", staff=manager
    )
    assert viewer_client.get(COUNTER).status_code == 403
    spaced = f"{voucher.code[:4]}-{voucher.code[4:8]} {voucher.code[8:].lower()}"
    html = staff_client.get(COUNTER, {"code": spaced}).content.decode()
    assert "Polish" in html and "Ready to use" in html
    response = staff_client.post(COUNTER, {"code": spaced})
    assert response.status_code == 200 and "Redeemed: Polish" in response.content.decode()
    response = staff_client.post(COUNTER, {"code": voucher.code})
    assert response.status_code == 409 and "used already" in response.content.decode()
    response = staff_client.post(COUNTER, {"code": "NOPE"}, **HTMX)
    assert "No voucher has this code." in response.content.decode()


# --- settings -----------------------------------------------------------------------------------
def _settings_data(**changes) -> dict:
    with alpha():
        program, _ = Program.objects.get_or_create(pk=1)
    from apps.loyalty.forms import ProgramForm

    form = ProgramForm(instance=program)
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name)
        if isinstance(field.widget, __import__("django").forms.CheckboxInput):
            if value:
                data[name] = "on"
            continue
        data[name] = "" if value is None else str(value)
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = "on" if value is True else str(value)
    return data


def test_preview_shows_what_a_sample_purchase_earns_without_saving(tenant, viewer_client):
    program_set(points_per_unit=1)
    gold = TierFactory(name="Gold", threshold=500, earn_multiplier=2)
    data = _settings_data(points_per_unit="1.5", tiers_enabled=True)
    data.update(sample_amount="80", sample_tax="10", sample_tier=str(gold.pk))
    response = viewer_client.post(PREVIEW, data, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "210 points" in html  # (80 - 10 tax) x 1.5 x 2
    assert "Gold earns ×2." in html
    with alpha():
        assert Program.objects.get().points_per_unit == 1


def test_a_change_that_takes_value_away_shows_the_members_first(tenant, manager_client):
    program_set(points_per_unit=2, expiry_months=None)
    member_with(10, name="A", key="a")
    member_with(10, name="B", key="b")
    data = _settings_data(points_per_unit="1", expiry_months="6")
    html = manager_client.post(PREVIEW, data, **HTMX).content.decode()
    assert "Purchases will earn fewer points. 2 members affected." in html
    response = manager_client.post(SETTINGS, data)
    assert response.status_code == 409
    assert "These changes take value away" in response.content.decode()
    with alpha():
        assert Program.objects.get().points_per_unit == 2
    response = manager_client.post(SETTINGS, {**data, "confirm": "1"})
    assert response.status_code == 302
    with alpha():
        program = Program.objects.get()
        version = ProgramVersion.objects.get(number=program.version)
    assert program.points_per_unit == 1 and program.expiry_months == 6
    assert version.members_affected == 2 and "points_per_unit" in version.summary


def test_a_change_that_gives_value_saves_at_once_and_viewers_cannot(
    tenant, manager_client, viewer_client, staff_client
):
    program_set(points_per_unit=1)
    data = _settings_data(points_per_unit="3")
    assert viewer_client.post(SETTINGS, data).status_code == 403
    assert staff_client.post(SETTINGS, data).status_code == 403
    assert viewer_client.get(SETTINGS).status_code == 200
    assert manager_client.post(SETTINGS, data).status_code == 302
    with alpha():
        assert Program.objects.get().points_per_unit == 3


def test_tiers_and_rewards_are_managed_by_managers(tenant, manager_client, staff_client):
    assert staff_client.get("/loyalty/settings/tiers/new/").status_code == 403
    response = manager_client.post(
        "/loyalty/settings/tiers/new/",
        {"name": "Gold", "threshold": "500", "earn_multiplier": "1.5", "discount_percent": "0"},
    )
    assert response.status_code == 302
    response = manager_client.post(
        "/loyalty/settings/tiers/new/",
        {"name": "Other", "threshold": "500", "earn_multiplier": "1", "discount_percent": "0"},
    )
    assert response.status_code == 400 and 'id="threshold-errors"' in response.content.decode()
    response = manager_client.post(
        "/loyalty/settings/rewards/new/",
        {
            "name": "Ten off",
            "kind": "percent_off",
            "value": "150",
            "cost_points": "100",
            "voucher_valid_days": "30",
            "active": "on",
        },
    )
    assert response.status_code == 400
    response = manager_client.post(
        "/loyalty/settings/rewards/new/",
        {
            "name": "Ten off",
            "kind": "percent_off",
            "value": "10",
            "cost_points": "100",
            "voucher_valid_days": "30",
            "active": "on",
        },
    )
    assert response.status_code == 302


def test_raising_a_tier_threshold_shows_its_members_first(tenant, manager_client):
    gold = TierFactory(name="Gold", threshold=500)
    member = member_with(10)
    member.tier = gold
    member.save()
    url = f"/loyalty/settings/tiers/{gold.pk}/"
    data = {"name": "Gold", "threshold": "800", "earn_multiplier": "1", "discount_percent": "0"}
    response = manager_client.post(url, data)
    assert response.status_code == 409 and "1 member has this tier now" in response.content.decode()
    assert manager_client.post(url, {**data, "confirm": "1"}).status_code == 302


# --- home card, contact panel -------------------------------------------------------------------
def test_home_card_and_contact_panel(tenant, viewer_client, staff_client, outsider_client):
    member = member_with(42)
    html = viewer_client.get(HOME, **HTMX).content.decode()
    assert "Points outstanding" in html and "42" in html
    panel = f"/loyalty/contacts/{member.contact_id}/"
    html = viewer_client.get(panel, **HTMX).content.decode()
    assert "<strong>42</strong>" in html
    stranger = ContactFactory(first_name="Newt")
    html = staff_client.get(f"/loyalty/contacts/{stranger.pk}/", **HTMX).content.decode()
    assert "Enrol in the program" in html
    assert staff_client.post(f"/loyalty/contacts/{stranger.pk}/enrol/").status_code == 302
    assert outsider_client.get(panel, **HTMX).status_code in (302, 403, 404)


@pytest.mark.parametrize(
    ("url", "as_viewer", "as_staff"),
    [
        (LIST, 200, 200),
        (COUNTER, 403, 200),
        (SETTINGS, 200, 200),
        (FIGURES, 403, 403),
        ("/loyalty/settings/rewards/new/", 403, 403),
    ],
)
def test_page_roles_and_the_outsider(
    tenant, url, as_viewer, as_staff, viewer_client, staff_client, manager_client, outsider_client
):
    assert viewer_client.get(url).status_code == as_viewer
    assert staff_client.get(url).status_code == as_staff
    assert manager_client.get(url).status_code == 200
    assert outsider_client.get(url).status_code in (302, 403)


def test_figures_page_in_bounded_queries(tenant, manager_client, django_assert_max_num_queries):
    for n in range(5):
        member_with(10 * (n + 1), name=f"M{n}", key=f"m{n}")
    with django_assert_max_num_queries(16):
        response = manager_client.get(FIGURES)
    html = response.content.decode()
    assert response.status_code == 200 and "<svg" in html and "150" in html


def test_counter_scanning_a_member_card_opens_the_member(tenant, staff_client):
    member = member_with(10)
    response = staff_client.get(COUNTER, {"code": f"M-{member.referral_code}"})
    assert response.status_code == 302 and response["Location"] == detail(member)


@pytest.mark.parametrize(
    ("path", "lowest"),
    [
        ("/loyalty/members/{member}/adjust/", "manager"),
        ("/loyalty/members/{member}/issue/", "staff"),
        ("/loyalty/members/{member}/send-card/", "staff"),
        ("/loyalty/contacts/{contact}/enrol/", "staff"),
        ("/loyalty/settings/tiers/{tier}/remove/", "manager"),
        ("/loyalty/settings/", "manager"),
        ("/loyalty/settings/tiers/{tier}/", "manager"),
        ("/loyalty/settings/rewards/{reward}/", "manager"),
    ],
)
def test_every_action_refuses_the_roles_below_it_and_the_outsider(
    tenant, path, lowest, viewer_client, staff_client, outsider_client
):
    member = member_with(10)
    url = path.format(
        member=member.pk,
        contact=ContactFactory().pk,
        tier=TierFactory().pk,
        reward=RewardFactory().pk,
    )
    before = (LedgerEntry.objects.count(), Voucher.objects.count(), ProgramVersion.objects.count())
    assert viewer_client.post(url, {}).status_code == 403
    if lowest == "manager":
        assert staff_client.post(url, {}).status_code == 403
    assert outsider_client.post(url, {}).status_code in (302, 403)
    with alpha():
        after = (
            LedgerEntry.objects.count(),
            Voucher.objects.count(),
            ProgramVersion.objects.count(),
        )
    assert after == before


@pytest.mark.parametrize(
    "path", [HOME, "/loyalty/contacts/{contact}/", PREVIEW, "/loyalty/members/{member}/"]
)
def test_partials_and_member_page_refuse_the_outsider(tenant, path, outsider_client):
    member = member_with(10)
    url = path.format(member=member.pk, contact=member.contact_id)
    response = (
        outsider_client.post(url, {}, **HTMX)
        if path == PREVIEW
        else outsider_client.get(url, **HTMX)
    )
    assert response.status_code in (302, 403)
