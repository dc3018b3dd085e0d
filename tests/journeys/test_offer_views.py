"""The offer catalogue's pages: the list with its figures and the form to add one, and one
offer's page to change it; viewers read, the outsider is sent to log in, bad input is named
on its field and writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django_tenants.utils import schema_context

from apps.journeys.models import Offer, OfferMade
from apps.journeys.services import offer_save
from tests.conftest import alpha
from tests.contacts.factories import SegmentFactory
from tests.loyalty.factories import RewardFactory

from .factories import reachable_contact

LIST = reverse("journeys:offer_list")


def detail(offer) -> str:
    return reverse("journeys:offer_detail", args=[offer.pk])


@pytest.fixture
def offer(tenant):
    with alpha():
        return offer_save(
            name="Payment plan",
            text="Pay in three parts",
            accepted_event="invoice.paid",
            reward={"type": "points", "points": 200},
        )


def posted(**values) -> dict:
    data = {
        "name": "Renewal upgrade",
        "text": "Upgrade at renewal, {first_name}",
        "accepted_event": "purchase.made",
        "priority": "3",
        "reward_type": "",
        "active": "on",
    }
    data.update(values)
    return data


def test_the_outsider_is_sent_to_log_in(outsider_client, offer):
    for method, url in [
        ("get", LIST),
        ("post", LIST),
        ("get", detail(offer)),
        ("post", detail(offer)),
    ]:
        response = getattr(outsider_client, method)(url, posted())
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login"))


def test_a_viewer_reads_but_changes_nothing(viewer_client, offer):
    assert viewer_client.get(LIST).status_code == 200
    page = viewer_client.get(detail(offer))
    assert page.status_code == 200
    assert "200 points" in page.content.decode()
    assert viewer_client.post(LIST, posted()).status_code == 404
    assert viewer_client.post(detail(offer), posted(name="Changed")).status_code == 404
    with alpha():
        assert list(Offer.objects.values_list("name", flat=True)) == ["Payment plan"]


def test_a_new_business_sees_an_empty_catalogue_with_the_form_open(owner_client):
    page = owner_client.get(LIST).content.decode()
    assert "No offer yet" in page
    assert "<details open>" in page


def test_a_manager_adds_an_offer_with_points_and_sees_it_listed(
    owner_client, offer, django_assert_max_num_queries
):
    response = owner_client.post(
        LIST,
        posted(
            reward_type="points", points="150", valid_from="2027-03-01", valid_until="2027-03-31"
        ),
    )
    assert response.status_code == 302
    with alpha():
        added = Offer.objects.get(name="Renewal upgrade")
        assert added.reward == {"type": "points", "points": 150, "reason": ""}
        assert (added.priority, added.accepted_event, added.active) == (3, "purchase.made", True)
        for n in range(5):  # figures for each offer come from the same query
            OfferMade.objects.create(
                offer=added,
                contact=reachable_contact(),
                made_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                accepted_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC) if n < 2 else None,
            )
    with django_assert_max_num_queries(14):
        page = owner_client.get(LIST)
    html = page.content.decode()
    assert "Offer “Renewal upgrade” added." in html
    assert "150 points" in html and "200 points" in html
    assert "(40%)" in html
    assert "from " in html and "until " in html and "2027" in html  # in the business's format


def test_a_manager_gives_an_offer_a_segment_and_a_catalogue_voucher(owner_client, offer):
    with alpha():
        vip = SegmentFactory(name="VIP")
        whitening = RewardFactory(name="Free whitening")
    response = owner_client.post(
        detail(offer),
        posted(
            name="Payment plan", segment=str(vip.pk), reward_type="voucher", reward=whitening.pk
        ),
    )
    assert response.status_code == 302
    with alpha():
        offer.refresh_from_db()
    assert offer.segment_id == vip.pk
    assert offer.reward == {"type": "voucher", "reward": whitening.pk}
    assert "Voucher: Free whitening" in owner_client.get(LIST).content.decode()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"reward_type": "points", "points": ""}, "points"),
        ({"reward_type": "points", "points": "10000000000000"}, "points"),
        (
            {"reward_type": "voucher", "voucher_kind": "percent_off", "voucher_value": "250"},
            "reward",
        ),
        ({"valid_from": "2027-03-01", "valid_until": "2027-02-01"}, "valid_until"),
        ({"segment": "987654"}, "segment"),
        ({"name": "Nul\x00byte"}, "name"),
        ({"accepted_event": ""}, "accepted_event"),
    ],
)
def test_bad_input_is_named_on_its_field_and_writes_nothing(owner_client, values, field):
    response = owner_client.post(LIST, posted(**values))
    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    with alpha():
        assert not Offer.objects.exists()


def test_another_business_s_offer_is_not_found(owner_client, other_tenant):
    with schema_context(other_tenant.schema_name):
        theirs = offer_save(name="Beta only", text="x", accepted_event="invoice.paid")
    with alpha():
        assert not Offer.objects.filter(pk=theirs.pk).exists()
    assert owner_client.get(detail(theirs)).status_code == 404
    assert owner_client.post(detail(theirs), posted()).status_code == 404
    with schema_context(other_tenant.schema_name):
        assert Offer.objects.get(pk=theirs.pk).name == "Beta only"
        Offer.objects.filter(pk=theirs.pk).delete()


def test_an_offer_s_page_reads_in_a_bounded_number_of_queries(
    owner_client, offer, django_assert_max_num_queries
):
    with alpha():
        whitening = RewardFactory(name="Free whitening", stock=0)  # out of stock: still shown
        offer_save(offer=offer, reward={"type": "voucher", "reward": whitening.pk})
    with django_assert_max_num_queries(14):
        page = owner_client.get(detail(offer))
    html = page.content.decode()
    assert f'<option value="{whitening.pk}" selected>Free whitening</option>' in html
