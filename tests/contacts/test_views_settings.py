"""Settings → Contact fields: custom field definitions and the RFM window."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.contacts.models import ContactSettings, CustomField, RfmScore
from apps.contacts.services import transaction_record
from apps.contacts.services.rfm import rfm_recompute, rfm_window_set
from tests.conftest import alpha
from tests.contacts.factories import ContactFactory, CustomFieldFactory

pytestmark = pytest.mark.django_db
URL = "/settings/contacts/"


def test_manager_adds_a_choice_field(manager_client):
    response = manager_client.post(
        URL,
        {
            "form": "field",
            "label": "Insurance provider",
            "type": "choice",
            "choices": "Delta, Aetna , Cigna",
        },
    )
    assert response.status_code == 302
    with alpha():
        field = CustomField.objects.get()
    assert (field.key, field.type, field.choices) == (
        "insurance_provider",
        "choice",
        ["Delta", "Aetna", "Cigna"],
    )


def test_a_taken_label_or_missing_choices_are_shown_on_the_form(manager_client, tenant):
    CustomFieldFactory(key="plan", label="Plan")
    response = manager_client.post(URL, {"form": "field", "label": "Plan", "type": "text"})
    assert response.status_code == 200
    assert response.context["field_form"].errors["label"]
    response = manager_client.post(URL, {"form": "field", "label": "Tier", "type": "choice"})
    assert response.context["field_form"].errors
    with alpha():
        assert CustomField.objects.count() == 1


def test_removing_a_field_removes_its_values(manager_client, tenant):
    field = CustomFieldFactory(key="plan")
    contact = ContactFactory(custom={"plan": "gold", "other": 1})
    response = manager_client.post(f"/settings/contacts/fields/{field.pk}/remove/")
    assert response.status_code == 302
    with alpha():
        contact.refresh_from_db()
        assert contact.custom == {"other": 1}
        assert not CustomField.objects.exists()


def test_window_change_rescores_and_bad_window_is_named(manager_client, tenant):
    contact = ContactFactory()
    transaction_record(
        contact=contact,
        amount=50,
        currency="EUR",
        occurred_at=timezone.now() - dt.timedelta(days=200),
    )
    rfm_recompute()
    assert RfmScore.objects.filter(contact=contact).exists()
    response = manager_client.post(URL, {"form": "window", "rfm_window_days": "90"})
    assert response.status_code == 302
    with alpha():
        assert ContactSettings.objects.get().rfm_window_days == 90
        assert not RfmScore.objects.filter(contact=contact).exists()  # outside the window now
    response = manager_client.post(URL, {"form": "window", "rfm_window_days": "5"})
    assert response.context["window_form"].errors["rfm_window_days"]


def test_rfm_window_service_refuses_out_of_range(tenant):
    with pytest.raises(ValidationError) as caught:
        rfm_window_set(days=4000)
    assert "rfm_window_days" in caught.value.message_dict


@pytest.mark.parametrize("client_name", ["staff_client", "viewer_client"])
def test_only_managers_and_owners_change_contact_fields(request, client_name):
    client = request.getfixturevalue(client_name)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"form": "field", "label": "X", "type": "text"}).status_code == 403


def test_outsider_is_sent_to_log_in(outsider_client):
    response = outsider_client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_page_lists_fields_with_bounded_queries(
    manager_client, tenant, django_assert_max_num_queries
):
    for n in range(8):
        CustomFieldFactory(label=f"Field {n}")
    with django_assert_max_num_queries(11):  # with the test-mode banner's (a cold cache)
        response = manager_client.get(URL)
    assert response.content.decode().count("Field ") >= 8
