"""Settings → Messaging and the settings service: rules checked, the secret encrypted."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from apps.messaging.models import MessagingSettings
from apps.messaging.services.settings import (
    messaging_settings,
    messaging_settings_update,
    provider_secret,
    provider_secret_hint,
    provider_secret_set,
)
from tests.conftest import alpha

pytestmark = pytest.mark.django_db
URL = "/settings/messaging/"
TOKEN = "f3b1c2d4e5a6978812345678abcdWXYZ"


def _form(**kw):
    values = dict(
        quiet_start="22:00",
        quiet_end="07:30",
        marketing_cap_per_week="3",
        email_fallback_hours="12",
        sms_provider="outbox",
        voice_provider="outbox",
        provider_account="",
        provider_secret="",
        provider_from_number="",
        email_from="",
    )
    values.update(kw)
    return values


# --- service -----------------------------------------------------------------------------------
def test_secret_round_trips_and_is_not_stored_in_clear(tenant):
    provider_secret_set(secret=TOKEN)
    stored = MessagingSettings.objects.get().provider_secret_encrypted
    assert TOKEN not in stored and stored
    assert provider_secret() == TOKEN
    assert provider_secret_hint() == "••••WXYZ"


def test_secret_uses_the_configured_key(tenant, settings):
    from cryptography.fernet import Fernet

    key = Fernet.generate_key()
    settings.MESSAGING_ENCRYPTION_KEY = key.decode()
    provider_secret_set(secret=TOKEN)
    stored = MessagingSettings.objects.get().provider_secret_encrypted
    assert Fernet(key).decrypt(stored.encode()).decode() == TOKEN
    settings.MESSAGING_ENCRYPTION_KEY = Fernet.generate_key().decode()  # key rotated
    assert provider_secret() == "" and provider_secret_hint() == ""


def test_short_secret_hint_shows_no_characters(tenant):
    provider_secret_set(secret="abc12")
    assert provider_secret_hint() == "••••"


def test_quiet_hours_may_wrap_midnight(tenant):
    row = messaging_settings_update(actor=None, quiet_start="21:00", quiet_end="08:00")
    assert (row.quiet_start, row.quiet_end) == (dt.time(21), dt.time(8))


@pytest.mark.parametrize(
    "fields, bad",
    [
        ({"marketing_cap_per_week": 51}, "marketing_cap_per_week"),
        ({"marketing_cap_per_week": -1}, "marketing_cap_per_week"),
        ({"email_fallback_hours": 0}, "email_fallback_hours"),
        ({"email_fallback_hours": 169}, "email_fallback_hours"),
        ({"sms_provider": "carrier-pigeon"}, "sms_provider"),
        ({"provider_from_number": "12"}, "provider_from_number"),
        ({"email_from": "not an address"}, "email_from"),
        ({"quiet_start": "25:00"}, "quiet_start"),
        ({"sms_provider": "twilio"}, "provider_account"),
    ],
)
def test_update_names_the_wrong_field(tenant, fields, bad):
    with pytest.raises(ValidationError) as caught:
        messaging_settings_update(actor=None, **fields)
    assert bad in caught.value.message_dict
    assert messaging_settings().marketing_cap_per_week == 2


def test_from_number_is_read_with_the_business_country(tenant):
    row = messaging_settings_update(actor=None, provider_from_number="0151 12345678")
    assert row.provider_from_number == "+4915112345678"  # alpha is in Germany


# --- page --------------------------------------------------------------------------------------
def test_manager_saves_the_rules_and_the_secret(manager_client):
    response = manager_client.post(
        URL,
        _form(
            sms_provider="twilio",
            provider_account="AC123",
            provider_secret=TOKEN,
            provider_from_number="+4915112345678",
            email_from="hello@alpha.test",
        ),
    )
    assert response.status_code == 302
    with alpha():
        row = messaging_settings()
        assert (row.quiet_start, row.marketing_cap_per_week, row.email_fallback_hours) == (
            dt.time(22),
            3,
            12,
        )
        assert (row.sms_provider, row.provider_account, row.email_from) == (
            "twilio",
            "AC123",
            "hello@alpha.test",
        )
        assert provider_secret() == TOKEN


def test_page_never_shows_the_secret_in_full(manager_client):
    with alpha():
        provider_secret_set(secret=TOKEN)
    response = manager_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert TOKEN not in html and TOKEN[:-4] not in html
    assert "••••WXYZ" in html
    assert 'type="password"' in html and f'value="{TOKEN}"' not in html
    with alpha():
        stored = messaging_settings().provider_secret_encrypted
    assert stored not in html


def test_empty_secret_keeps_the_saved_one(manager_client):
    with alpha():
        provider_secret_set(secret=TOKEN)
    response = manager_client.post(URL, _form(marketing_cap_per_week="5"))
    assert response.status_code == 302
    with alpha():
        assert provider_secret() == TOKEN
        assert messaging_settings().marketing_cap_per_week == 5


def test_bad_sending_number_is_named_and_nothing_saved(manager_client):
    response = manager_client.post(URL, _form(provider_from_number="12", provider_secret=TOKEN))
    assert response.status_code == 200
    assert response.context["form"].errors["provider_from_number"]
    assert "provider_from_number-errors" in response.content.decode()
    with alpha():
        assert provider_secret() == ""
        assert messaging_settings().marketing_cap_per_week == 2


def test_settings_tab_is_in_the_nav(manager_client):
    response = manager_client.get("/settings/contacts/")
    assert URL in response.content.decode()


@pytest.mark.parametrize("client_name", ["staff_client", "viewer_client"])
def test_below_manager_is_refused(request, client_name):
    client = request.getfixturevalue(client_name)
    assert client.get(URL).status_code == 403
    assert client.post(URL, _form(marketing_cap_per_week="9")).status_code == 403
    with alpha():
        assert messaging_settings().marketing_cap_per_week == 2


def test_outsider_is_sent_to_log_in(outsider_client):
    response = outsider_client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    response = outsider_client.post(URL, _form(marketing_cap_per_week="9"))
    assert response.status_code == 302
    with alpha():
        assert messaging_settings().marketing_cap_per_week == 2


def test_page_has_bounded_queries(manager_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        assert manager_client.get(URL).status_code == 200


# --- test mode ---------------------------------------------------------------------------------
@pytest.fixture
def fresh_test_mode():
    from django.core.cache import cache

    from apps.messaging.services.settings import _test_mode_key

    cache.delete(_test_mode_key())
    yield
    cache.delete(_test_mode_key())


def test_a_channel_on_a_stand_in_is_marked_test_mode_with_a_banner_on_staff_pages(
    owner_client, tenant, fresh_test_mode
):
    from apps.messaging.services.sending import message_send
    from tests.contacts.factories import ContactFactory

    home = owner_client.get("/").content.decode()
    assert 'id="test-mode-banner"' in home
    assert "E-mails, texts and calls go to the Outbox" in home
    message = message_send(
        contact=ContactFactory(email="pat@example.test"), purpose="appointment_reminder"
    )
    listing = owner_client.get("/messages/").content.decode()
    assert "Test mode" in listing
    detail = owner_client.get(f"/messages/{message.pk}/").content.decode()
    assert "test mode: kept here" in detail
    page = owner_client.get("/settings/messaging/").content.decode()
    assert "Texts: test mode" in page and "Calls: test mode" in page


def test_the_banner_names_only_what_is_still_in_test_mode_and_goes_with_a_real_provider(
    owner_client, tenant, settings, fresh_test_mode
):
    from apps.messaging.services.settings import messaging_settings_update

    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    messaging_settings_update(
        actor=None,
        sms_provider="twilio",
        provider_account="AC123",
        provider_from_number="+13125550100",
    )
    page = owner_client.get("/").content.decode()
    assert "Calls go to the Outbox" in page
    messaging_settings_update(actor=None, voice_provider="twilio")
    assert 'id="test-mode-banner"' not in owner_client.get("/").content.decode()


def test_the_test_mode_costs_a_page_no_query_once_known(owner_client, tenant, fresh_test_mode):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    owner_client.get("/")
    with CaptureQueriesContext(connection) as queries:
        owner_client.get("/")
    assert not [q for q in queries.captured_queries if "messaging_messagingsettings" in q["sql"]]


@pytest.mark.parametrize(
    ("language", "channels", "said"),
    [
        ("en", ["email", "sms", "voice"], "E-mails, texts and calls"),
        ("en", ["sms"], "Texts"),
        ("fr", ["email", "sms"], "E-mails et SMS"),  # an acronym keeps its capitals
    ],
)
def test_the_banner_names_the_channels_as_people_say_them(language, channels, said):
    from django.utils import translation

    from apps.messaging.templatetags.messaging import channel_labels

    with translation.override(language):
        assert channel_labels(channels) == said
