"""The unsubscribe and preference pages speak the customer's language, else the business's."""

import pytest

from apps.messaging.services import links
from tests.contacts.factories import ContactFactory
from tests.messaging.factories import MessageFactory

pytestmark = pytest.mark.django_db
BASE = "http://alpha.localhost"


def _message(language: str):
    contact = ContactFactory(email_consent="opted_in", language=language)
    return MessageFactory(contact=contact, channel="email", to=contact.email, status="sent")


@pytest.fixture
def french_business(tenant):
    tenant.language = "fr"
    tenant.save(update_fields=["language"])
    return tenant


def test_unsubscribe_page_of_a_french_business_is_in_french(french_business, tenant_client):
    url = links.unsubscribe_url(message=_message(""), base_url=BASE)[len(BASE) :]
    page = tenant_client.get(url).content.decode()
    assert '<html lang="fr">' in page
    assert "Se désabonner des e-mails ?" in page
    done = tenant_client.post(url).content.decode()
    assert "Vous êtes désabonné(e)" in done


def test_unsubscribe_page_follows_the_customer_language(french_business, tenant_client):
    url = links.unsubscribe_url(message=_message("en"), base_url=BASE)[len(BASE) :]
    page = tenant_client.get(url).content.decode()
    assert '<html lang="en">' in page and "Unsubscribe from emails?" in page


def test_preferences_page_follows_the_customer_language(tenant, tenant_client):
    message = _message("fr")
    url = links.preferences_url(contact=message.contact, base_url=BASE)[len(BASE) :]
    page = tenant_client.get(url).content.decode()
    assert '<html lang="fr">' in page and "Comment pouvons-nous vous contacter ?" in page


def test_a_broken_unsubscribe_link_speaks_the_business_language(french_business, tenant_client):
    response = tenant_client.get("/m/u/not-a-token/")
    assert response.status_code in (400, 404)
    assert '<html lang="fr">' in response.content.decode()
