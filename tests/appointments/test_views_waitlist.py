"""The staff's waitlist page: who waits, taking them off; viewers read, the outsider is sent
to log in, nothing of another business shows."""

import pytest
from django_tenants.utils import schema_context

from apps.appointments.models import WaitlistEntry
from tests.appointments.factories import ServiceFactory, WaitlistEntryFactory
from tests.contacts.factories import ContactFactory

pytestmark = pytest.mark.django_db
URL = "/appointments/waitlist/"


def test_the_page_lists_open_entries_and_says_when_nobody_waits(owner_client):
    assert "Nobody is waiting." in owner_client.get(URL).content.decode()
    with schema_context("alpha"):
        WaitlistEntryFactory(
            contact=ContactFactory(first_name="Ada", last_name="King"),
            service=ServiceFactory(name="Whitening"),
        )
        WaitlistEntryFactory(contact=ContactFactory(first_name="Gone"), status="cancelled")
    content = owner_client.get(URL).content.decode()
    assert "Ada King" in content and "Whitening" in content
    assert "Gone" not in content


def test_the_list_takes_a_fixed_number_of_queries(owner_client, django_assert_max_num_queries):
    with schema_context("alpha"):
        WaitlistEntryFactory.create_batch(15)
    with django_assert_max_num_queries(7):
        response = owner_client.get(URL)
    assert response.content.decode().count('class="list__item"') == 15


def test_staff_take_someone_off_the_waitlist(staff_client):
    with schema_context("alpha"):
        entry = WaitlistEntryFactory()
    response = staff_client.post(f"{URL}{entry.pk}/remove/")
    assert response.status_code == 302
    with schema_context("alpha"):
        assert WaitlistEntry.objects.get(pk=entry.pk).status == "cancelled"


def test_viewers_read_but_cannot_remove(viewer_client):
    with schema_context("alpha"):
        entry = WaitlistEntryFactory()
    assert viewer_client.get(URL).status_code == 200
    assert "Remove" not in viewer_client.get(URL).content.decode()
    assert viewer_client.post(f"{URL}{entry.pk}/remove/").status_code == 403
    with schema_context("alpha"):
        assert WaitlistEntry.objects.get(pk=entry.pk).status == "waiting"


def test_the_outsider_is_sent_to_log_in_and_changes_nothing(outsider_client):
    with schema_context("alpha"):
        entry = WaitlistEntryFactory()
    for response in (outsider_client.get(URL), outsider_client.post(f"{URL}{entry.pk}/remove/")):
        assert response.status_code == 302
        assert response.url.startswith("/login/")
    with schema_context("alpha"):
        assert WaitlistEntry.objects.get(pk=entry.pk).status == "waiting"


def test_another_business_entries_are_not_found(owner_client):
    with schema_context("beta"):
        theirs = WaitlistEntryFactory()
    with schema_context("alpha"):
        WaitlistEntry.objects.filter(pk=theirs.pk).delete()  # the id exists only in beta
    assert owner_client.post(f"{URL}{theirs.pk}/remove/").status_code == 404
    with schema_context("beta"):
        assert WaitlistEntry.objects.get(pk=theirs.pk).status == "waiting"
