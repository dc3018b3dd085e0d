"""Sign-up on the public site: the suggested sub-domain, the country list, current time zones
only, and the owner logged in on the new business's host by a one-time token."""

import datetime as dt
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import ValidationError
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.tenants.models import Tenant
from apps.tenants.services import (
    SIGNUP_LOGIN_MAX_AGE,
    signup_login_token,
    tenant_slug_suggest,
)
from tests.conftest import host_of, owner_email
from tests.helpers.clock import clock_at

pytestmark = pytest.mark.django_db


def _form(**changes) -> dict:
    data = {
        "name": "Bright Smile Dental",
        "slug": "",
        "owner_name": "Dana Bright",
        "email": "dana@bright.example",
        "password": "brush-and-floss-42",
        "country": "US",
        "time_zone": "America/Chicago",
    }
    data.update(changes)
    return data


def _token_path(response) -> str:
    match = re.fullmatch(r"http://([a-z0-9-]+)\.localhost(/login/welcome/[^/]+/)", response.url)
    assert match, response.url
    return match.group(2)


# --- the page ----------------------------------------------------------------------------------
def test_signup_page_offers_countries_by_name_and_friendly_current_zones(public_client):
    page = public_client.get("/signup/").content.decode()
    assert '<select name="country"' in page
    assert '<option value="DE">Germany</option>' in page
    assert re.search(
        r'<option value="America/New_York"( selected)?>Eastern Time \(New York\)<', page
    )
    assert 'value="US/Eastern"' not in page and 'value="Etc/' not in page
    assert '<optgroup label="United States">' in page  # the default country's zones first
    assert "Your dashboard&#x27;s address: your-business.localhost" in page
    assert 'id="signup-zones"' in page  # what signup.js needs to pre-select a country's zone


def test_a_re_shown_form_previews_the_typed_address_and_lists_that_countrys_zones_first(
    public_client,
):
    response = public_client.post("/signup/", _form(slug="alpha", country="DE"))
    page = response.content.decode()
    assert "already taken" in page
    assert "Your dashboard&#x27;s address: alpha.localhost" in page
    assert page.index('<optgroup label="Germany">') < page.index('<optgroup label="Africa">')


# --- the sub-domain ----------------------------------------------------------------------------
def test_slug_suggestions_come_from_the_name_and_skip_taken_ones(tenant):
    assert tenant_slug_suggest(name="Bright Smile Dental") == "bright-smile-dental"
    assert tenant_slug_suggest(name="Zahnärzte Müller & Co.") == "zahnarzte-muller-co"
    assert tenant_slug_suggest(name="Alpha") == "alpha-2"  # alpha is taken
    assert tenant_slug_suggest(name="24/7 Repairs") == "repairs"
    assert tenant_slug_suggest(name="Jo") == "jo-business"
    assert tenant_slug_suggest(name="www") == "www-2"  # reserved
    assert len(tenant_slug_suggest(name="A very long business name " * 4)) <= 40


def test_signup_with_no_sub_domain_gets_one_from_the_name(public_client):
    response = public_client.post("/signup/", _form())
    assert response.status_code == 302
    tenant = Tenant.objects.get(slug="bright-smile-dental")
    assert response.url.startswith("http://bright-smile-dental.localhost/login/welcome/")
    assert (tenant.country, tenant.time_zone) == ("US", "America/Chicago")


def test_signup_refuses_a_deprecated_zone_and_an_unknown_country(public_client):
    response = public_client.post("/signup/", _form(time_zone="US/Eastern", country="XX"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"time_zone", "country"}
    assert not Tenant.objects.filter(slug="bright-smile-dental").exists()


# --- logged in at once -------------------------------------------------------------------------
def test_the_owner_lands_on_the_new_business_home_logged_in(public_client):
    response = public_client.post("/signup/", _form())
    browser = Client(HTTP_HOST="bright-smile-dental.localhost")
    landing = browser.get(_token_path(response))
    assert landing.status_code == 302 and landing.url == "/"
    home = browser.get("/")
    assert home.status_code == 200
    assert "Bright Smile Dental is ready." in home.content.decode()
    with schema_context("bright_smile_dental"):
        owner = User.objects.get(email="dana@bright.example")
        assert browser.session[SESSION_KEY] == str(owner.pk)
        assert owner.last_login is not None


def test_the_login_token_works_once(public_client):
    path = _token_path(public_client.post("/signup/", _form()))
    Client(HTTP_HOST="bright-smile-dental.localhost").get(path)
    replay = Client(HTTP_HOST="bright-smile-dental.localhost")
    response = replay.get(path)
    assert response.status_code == 302 and response.url == "/login/"
    assert SESSION_KEY not in replay.session


def test_the_login_token_expires(public_client):
    start = dt.datetime.now(dt.UTC)
    with clock_at(start):
        path = _token_path(public_client.post("/signup/", _form()))
    browser = Client(HTTP_HOST="bright-smile-dental.localhost")
    with clock_at(start + dt.timedelta(seconds=SIGNUP_LOGIN_MAX_AGE + 1)):
        response = browser.get(path)
    assert response.url == "/login/"
    assert SESSION_KEY not in browser.session
    with schema_context("bright_smile_dental"):
        assert User.objects.get().last_login is None


def test_the_login_token_is_refused_on_another_business_host(public_client, other_tenant):
    path = _token_path(public_client.post("/signup/", _form()))
    for host in ["alpha.localhost", host_of(other_tenant)]:
        elsewhere = Client(HTTP_HOST=host)
        response = elsewhere.get(path)
        assert response.status_code == 302 and response.url == "/login/"
        assert SESSION_KEY not in elsewhere.session
    # ...and it still works where it belongs
    home = Client(HTTP_HOST="bright-smile-dental.localhost")
    assert home.get(path).url == "/"


def test_a_token_for_an_owner_of_another_business_with_the_same_email_is_refused(
    tenant, other_tenant
):
    """The token names its business: one made for beta's owner does not open alpha."""
    with schema_context(tenant.schema_name):
        User.objects.filter(email=owner_email("alpha")).update(last_login=None)
    token = signup_login_token(tenant=other_tenant, email=owner_email("alpha"))
    browser = Client(HTTP_HOST=host_of(tenant))
    assert browser.get(f"/login/welcome/{token}/").url == "/login/"
    assert SESSION_KEY not in browser.session


def test_a_tampered_or_garbage_token_is_refused(tenant):
    token = signup_login_token(tenant=tenant, email=owner_email("alpha"))
    browser = Client(HTTP_HOST=host_of(tenant))
    for bad in [token[:-2] + "xx", "nonsense", "a:b:c"]:
        assert browser.get(f"/login/welcome/{bad}/").url == "/login/"
    assert SESSION_KEY not in browser.session


def test_a_token_does_not_log_in_an_owner_who_has_logged_in_before(tenant):
    """Single use: the token is good only until its owner's first login."""
    from apps.accounts.services import user_signup_login_redeem

    token = signup_login_token(tenant=tenant, email=owner_email("alpha"))
    with schema_context(tenant.schema_name):
        User.objects.filter(email=owner_email("alpha")).update(last_login=dt.datetime.now(dt.UTC))
        with pytest.raises(ValidationError):
            user_signup_login_redeem(token=token)


def test_the_token_page_is_not_on_the_public_host(public_client, tenant):
    token = signup_login_token(tenant=tenant, email=owner_email("alpha"))
    assert public_client.get(f"/login/welcome/{token}/").status_code == 404


def test_signup_still_shows_a_clear_error_for_a_bad_password(public_client):
    response = public_client.post("/signup/", _form(password="123"))
    assert response.status_code == 200
    assert "password" in response.context["form"].errors


def test_signup_speaks_the_visitors_language_and_the_business_keeps_it(public_client):
    page = public_client.get("/signup/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9").content.decode()
    assert '<option value="fr" selected>Français</option>' in page
    public_client.post(
        "/signup/",
        _form(name="Sourire Dentaire", country="FR", time_zone="Europe/Paris"),
        HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9",
    )
    assert Tenant.objects.get(slug="sourire-dentaire").language == "fr"  # not chosen: the page's
    public_client.post("/signup/", _form(name="Clinica Sol", language="es"))
    assert Tenant.objects.get(slug="clinica-sol").language == "es"  # chosen
    response = public_client.post("/signup/", _form(name="Zahnarzt Nord", language="xx"))
    assert response.status_code == 200 and 'id="language-errors"' in response.content.decode()
    assert not Tenant.objects.filter(slug="zahnarzt-nord").exists()
