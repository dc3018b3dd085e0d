"""The contact page's panels come from `contact_panels`: each loads by htmx from its module's
URL, shown by role and order; a panel registered by a test shows up with no change to the page;
nobody loads a panel of another business's contact."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from apps.contacts.models import Contact
from apps.contacts.registries import contact_panels
from apps.contacts.views.panels import ContactPanel
from tests.appointments.factories import AppointmentFactory
from tests.conftest import alpha, host_of, logged_in
from tests.contacts.factories import ContactFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
NOTES = ContactPanel(
    id="probe.notes",
    title="Probe notes",
    url_name="contacts:contact_timeline",  # any URL that takes the contact's id
    order=5,
    min_role="manager",
)


def _panels(content: str) -> list[tuple[str, str]]:
    """(id, hx-get) of each panel placeholder on the page, in page order."""
    return re.findall(
        r'<div id="([^"]+)" class="contact-panel" hx-get="([^"]+)" hx-trigger="load"', content
    )


def test_the_appointments_panel_comes_from_the_registry(viewer_client):
    with alpha():
        contact = ContactFactory()
    assert contact_panels["appointments"].url_name == "appointments:contact_appointments"
    content = viewer_client.get(f"/contacts/{contact.pk}/").content.decode()
    assert _panels(content) == [
        ("appointments-panel", f"/appointments/contact/{contact.pk}/"),
        ("feedback-panel", f"/feedback/contacts/{contact.pk}/"),
        ("messaging-conversation-panel", f"/messages/conversations/{contact.pk}/card/"),
        ("loyalty-panel", f"/loyalty/contacts/{contact.pk}/"),
        ("journeys-panel", f"/contacts/{contact.pk}/journeys/"),
    ]
    assert ">Appointments</h2>" in content  # its title shows while it loads
    registered = contact_panels["appointments"]
    contact_panels.unregister("appointments")  # without the module's panel, no placeholder
    try:
        content = viewer_client.get(f"/contacts/{contact.pk}/").content.decode()
    finally:
        contact_panels.register(registered.id, registered)
    assert "appointments-panel" not in dict(_panels(content))
    assert ">Appointments</h2>" not in content


@pytest.mark.parametrize(
    ("client_name", "sees_it"),
    [("owner_client", True), ("manager_client", True), ("staff_client", False)],
)
def test_a_registered_panel_shows_from_its_role_up_in_its_order(request, client_name, sees_it):
    with alpha():
        contact = ContactFactory()
    client = request.getfixturevalue(client_name)
    with contact_panels.override(NOTES.id, NOTES):
        content = client.get(f"/contacts/{contact.pk}/").content.decode()
    ids = [panel_id for panel_id, _url in _panels(content)]
    if sees_it:
        assert ids == [
            "probe-notes-panel",
            "appointments-panel",
            "feedback-panel",
            "messaging-conversation-panel",
            "loyalty-panel",
            "journeys-panel",
        ]
        assert f'hx-get="/contacts/{contact.pk}/timeline/"' in content
        assert ">Probe notes</h2>" in content
    else:
        assert ids == [
            "appointments-panel",
            "feedback-panel",
            "messaging-conversation-panel",
            "loyalty-panel",
            "journeys-panel",
        ]
        assert "Probe notes" not in content
    assert "Probe notes" not in client.get(f"/contacts/{contact.pk}/").content.decode()


def test_the_loaded_panel_is_the_module_s_card(owner_client):
    with alpha():
        booked = AppointmentFactory(service__name="Check-up")
    response = owner_client.get(f"/appointments/contact/{booked.contact_id}/", **HTMX)
    content = response.content.decode()
    assert response.status_code == 200 and "<!doctype" not in content
    assert '<section class="card contact-card--appointments" id="appointments"' in content
    assert "Check-up" in content


def test_the_outsider_cannot_load_the_appointments_panel_of_another_business_s_contact(
    outsider_client, outsider, other_tenant
):
    with alpha():
        booked = AppointmentFactory(service__name="Secret treatment")
    url = f"/appointments/contact/{booked.contact_id}/"
    # on alpha's host, the outsider's session means nothing
    response = outsider_client.get(url, **HTMX)
    assert response.status_code == 302 and response.url == f"/login/?next={url}"
    assert b"Secret treatment" not in response.content
    # on their own host, the id names no contact of theirs
    with schema_context(other_tenant.schema_name):
        assert not Contact.objects.filter(pk=booked.contact_id).exists()
    own = logged_in(Client(HTTP_HOST=host_of(other_tenant)), outsider, other_tenant)
    response = own.get(url, **HTMX)
    assert response.status_code == 404
    assert b"Secret treatment" not in response.content
