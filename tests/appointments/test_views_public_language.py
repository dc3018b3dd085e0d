"""The booking page and the customer's own link speak the business's language, or the
customer's when their contact names one; a team member who opens them sees what the customer
sees."""

from __future__ import annotations

import pytest
from django.utils import translation

from apps.appointments.services import appointment_manage_url
from apps.tenants.models import Tenant
from tests.appointments.factories import AppointmentFactory, ServiceFactory
from tests.conftest import logged_in
from tests.contacts.factories import ContactFactory
from tests.helpers.clock import tomorrow_at

pytestmark = pytest.mark.django_db


def speaks(tenant: Tenant, language: str) -> None:
    tenant.language = language
    tenant.save(update_fields=["language"])  # clears the cached host -> tenant


def manage_path(appointment) -> str:
    return "/" + appointment_manage_url(appointment=appointment).split("/", 3)[3]


@pytest.fixture
def checkup(weber):
    return ServiceFactory(name="Check-up", staff=[weber], price=80, duration_minutes=30)


def booked_for(checkup, weber, *, language: str):
    contact = ContactFactory(language=language)
    return AppointmentFactory(
        service=checkup, staff=weber, contact=contact, starts_at=tomorrow_at(10)
    )


def test_a_french_business_booking_page_is_in_french(tenant, tenant_client, checkup):
    speaks(tenant, "fr")
    response = tenant_client.get("/book/")
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert "Prendre rendez-vous" in page and "Étape 1 sur 4" in page
    assert "Book an appointment" not in page
    assert response["Content-Language"] == "fr"


def test_a_french_business_manage_page_is_in_french(
    tenant, tenant_client, checkup, weber, frozen_now
):
    speaks(tenant, "fr")
    appointment = booked_for(checkup, weber, language="")  # nothing known: the business's
    page = tenant_client.get(manage_path(appointment)).content.decode()
    assert '<html lang="fr">' in page
    assert "Votre rendez-vous" in page and "Annuler le rendez-vous" in page
    assert "Cancel appointment" not in page


def test_the_customer_language_wins_over_the_business_language(
    tenant, tenant_client, checkup, weber, frozen_now
):
    speaks(tenant, "fr")
    appointment = booked_for(checkup, weber, language="en")
    page = tenant_client.get(manage_path(appointment)).content.decode()
    assert '<html lang="en">' in page and "Your appointment" in page


def test_a_spanish_customer_of_an_english_business_gets_their_page_in_spanish(
    tenant, tenant_client, checkup, weber, frozen_now
):
    assert tenant.language == "en"
    appointment = booked_for(checkup, weber, language="es")
    for suffix in ("", "cancel/", "reschedule/"):
        page = tenant_client.get(manage_path(appointment) + suffix).content.decode()
        assert '<html lang="es">' in page, suffix
    page = tenant_client.get(manage_path(appointment)).content.decode()
    with translation.override("es"):
        assert translation.gettext("Your appointment") in page  # Spanish once translated


def test_a_customer_language_without_a_translation_falls_back_to_the_business(
    tenant, tenant_client, checkup, weber, frozen_now
):
    speaks(tenant, "fr")
    appointment = booked_for(checkup, weber, language="de")
    page = tenant_client.get(manage_path(appointment)).content.decode()
    assert '<html lang="fr">' in page and "Votre rendez-vous" in page


def test_a_team_member_with_another_language_sees_the_booking_page_as_customers_do(
    tenant, checkup, owner, client
):
    speaks(tenant, "fr")
    owner.language = "en"
    owner.save(update_fields=["language"])
    client = logged_in(client, owner, tenant)
    client.defaults["HTTP_HOST"] = "alpha.localhost"
    page = client.get("/book/").content.decode()
    assert '<html lang="fr">' in page and "Prendre rendez-vous" in page
    home = client.get("/").content.decode()
    assert '<html lang="en">' in home  # their own pages stay in their language


def test_a_broken_link_speaks_the_business_language(tenant, tenant_client):
    speaks(tenant, "fr")
    response = tenant_client.get("/book/manage/not-a-token/")
    assert response.status_code == 404
    assert "Nous n'avons pas trouvé ce rendez-vous" in response.content.decode()
