"""The business profile and the preferences offer countries by name and current time zones by
their friendly names, the business's country first; a zone saved long ago stays."""

import pytest
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.tenants.models import Tenant

pytestmark = pytest.mark.django_db


def _profile(**changes) -> dict:
    data = {
        "name": "Alpha Dental",
        "country": "DE",
        "time_zone": "Europe/Berlin",
        "language": "en",
        "currency": "EUR",
        "brand_color": "#0f766e",
    }
    data.update(changes)
    return data


def test_profile_offers_countries_and_friendly_zones_of_the_business_country_first(
    owner_client,
):
    page = owner_client.get("/settings/profile/").content.decode()
    assert '<option value="DE" selected>Germany</option>' in page
    assert '<option value="Europe/Berlin" selected>Central European Time (Berlin)</option>' in page
    assert page.index('<optgroup label="Germany">') < page.index('<optgroup label="Africa">')
    assert 'value="US/Eastern"' not in page and 'value="Etc/UTC"' not in page


def test_profile_saves_a_country_and_zone_from_the_lists(owner_client, tenant):
    response = owner_client.post(
        "/settings/profile/", _profile(country="US", time_zone="America/Chicago")
    )
    assert response.status_code == 302
    tenant = Tenant.objects.get(pk=tenant.pk)
    assert (tenant.country, tenant.time_zone) == ("US", "America/Chicago")


def test_profile_refuses_a_country_not_on_the_list(owner_client, tenant):
    response = owner_client.post("/settings/profile/", _profile(country="XX"))
    assert response.status_code == 200
    assert "country" in response.context["form"].errors
    assert Tenant.objects.get(pk=tenant.pk).country == "DE"


def test_a_zone_saved_long_ago_can_be_kept(owner_client, tenant):
    Tenant.objects.filter(pk=tenant.pk).update(time_zone="Europe/Kiev")
    page = owner_client.get("/settings/profile/").content.decode()
    assert '<option value="Europe/Kiev" selected>' in page
    response = owner_client.post("/settings/profile/", _profile(time_zone="Europe/Kiev"))
    assert response.status_code == 302


def test_home_names_the_business_zone(owner_client):
    page = owner_client.get("/").content.decode()
    assert "Central European Time (Berlin)" in page
    assert "Europe/Berlin" not in page


def test_preferences_name_the_business_zone_and_offer_current_zones(viewer_client, viewer):
    page = viewer_client.get("/settings/preferences/").content.decode()
    assert "Same as the business · Central European Time (Berlin)" in page
    assert '<option value="America/New_York">Eastern Time (New York)</option>' in page
    assert 'value="US/Eastern"' not in page
    response = viewer_client.post(
        "/settings/preferences/", {"name": "Vic", "time_zone": "America/New_York"}
    )
    assert response.status_code == 302
    with schema_context("alpha"):
        assert User.objects.get(pk=viewer.pk).time_zone == "America/New_York"


def test_outsider_cannot_open_alpha_profile(outsider_client):
    response = outsider_client.get("/settings/profile/")
    assert response.status_code == 302 and response.url.startswith("/login/")
