"""Which language a page speaks: the member's choice, else the business's; on the public site
the browser's among the translated ones. The language never outlives its request."""

from __future__ import annotations

import pytest
from django.utils import translation
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.tenants.languages import browser_language, ui_language
from apps.tenants.models import Tenant

pytestmark = pytest.mark.django_db


def speaks(tenant: Tenant, language: str) -> None:
    tenant.language = language
    tenant.save(update_fields=["language"])  # clears the cached host -> tenant


def test_the_dashboard_follows_the_business_language(tenant, staff_client):
    speaks(tenant, "fr")
    response = staff_client.get("/")
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert "Accueil" in page and "Se déconnecter" in page
    assert "Log out" not in page


def test_a_member_who_chose_a_language_keeps_it(tenant, staff_client, staff_member):
    speaks(tenant, "fr")
    User.objects.filter(pk=staff_member.pk).update(language="en")
    page = staff_client.get("/").content.decode()
    assert '<html lang="en">' in page and "Log out" in page


def test_a_member_of_an_english_business_may_choose_french(tenant, staff_client, staff_member):
    User.objects.filter(pk=staff_member.pk).update(language="fr")
    page = staff_client.get("/contacts/").content.decode()
    assert '<html lang="fr">' in page and "Ajouter un contact" in page


def test_the_preferences_page_saves_the_language_through_the_service(tenant, viewer_client, viewer):
    speaks(tenant, "fr")
    page = viewer_client.get("/settings/preferences/").content.decode()
    assert "Comme l&#x27;entreprise · Français" in page  # the default
    assert '<option value="es">Español</option>' in page
    response = viewer_client.post("/settings/preferences/", {"name": "Vic", "language": "es"})
    assert response.status_code == 302
    with schema_context("alpha"):
        assert User.objects.get(pk=viewer.pk).language == "es"
    page = viewer_client.get("/settings/preferences/").content.decode()
    assert '<html lang="es">' in page


def test_the_preferences_page_refuses_a_language_it_does_not_offer(tenant, viewer_client, viewer):
    response = viewer_client.post("/settings/preferences/", {"name": "Vic", "language": "de"})
    assert response.status_code == 200
    assert "language" in response.context["form"].errors
    with schema_context("alpha"):
        assert User.objects.get(pk=viewer.pk).language == ""


def test_the_service_refuses_a_language_without_a_translation(tenant, viewer):
    from django.core.exceptions import ValidationError

    from apps.accounts.services import user_update

    with pytest.raises(ValidationError) as caught:
        user_update(user=viewer, actor=viewer, language="de")
    assert "language" in caught.value.message_dict


def test_the_login_page_speaks_the_business_language(tenant, tenant_client):
    speaks(tenant, "fr")
    page = tenant_client.get("/login/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="fr">' in page and "Mot de passe oublié ?" in page


def test_the_public_site_follows_the_browser_among_translated_languages(public_client):
    page = public_client.get("/", HTTP_ACCEPT_LANGUAGE="de-DE, fr;q=0.8, en;q=0.5")
    assert '<html lang="fr">' in page.content.decode()
    assert "Accept-Language" in page["Vary"]
    english = public_client.get("/", HTTP_ACCEPT_LANGUAGE="de-DE").content.decode()
    assert '<html lang="en">' in english


def test_the_language_does_not_leak_to_the_next_request_of_the_thread(
    tenant, tenant_client, other_tenant_client
):
    """A French page, then an English business's page, served by the same thread: English."""
    speaks(tenant, "fr")
    french = tenant_client.get("/login/")
    assert '<html lang="fr">' in french.content.decode()
    assert translation.get_language() == "en"  # nothing left active after the response
    english = other_tenant_client.get("/login/")
    assert '<html lang="en">' in english.content.decode()
    assert "Forgot your password?" in english.content.decode()
    assert english["Content-Language"] == "en"


def test_the_outsider_is_not_let_in_by_a_language(tenant, outsider_client):
    speaks(tenant, "fr")
    response = outsider_client.get("/settings/preferences/")
    assert response.status_code in (302, 403)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr-CA,fr;q=0.9,en;q=0.8", "fr"),
        ("de, es;q=0.5, fr;q=0.4", "es"),
        ("en;q=0.2, fr;q=0.9", "fr"),
        ("fr;q=0", None),
        ("de-AT", None),
        ("", None),
        ("es;q=abc", None),
    ],
)
def test_browser_language(header, expected):
    assert browser_language(header) == expected


def test_ui_language():
    assert [ui_language(c) for c in ("FR", "es_MX", "en-GB", "de", "", None)] == [
        "fr",
        "es",
        "en",
        None,
        None,
        None,
    ]


def test_an_invitation_is_written_in_the_business_language(
    tenant, manager, django_capture_on_commit_callbacks
):
    """The invitee's language is unknown: the business's, whatever the inviter reads."""
    from django.core import mail

    from apps.accounts.services import invitation_create

    speaks(tenant, "fr")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            email="nina@example.test",
            role="viewer",
            invited_by=manager,
            accept_url_base="http://alpha.localhost/invite/",
        )
    (message,) = mail.outbox
    assert message.subject == "Vous êtes invité(e) à rejoindre Alpha Dental"
    assert "en tant que « Observateur »" in message.body
