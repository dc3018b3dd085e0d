"""The bell: its count, the dropdown and the page (newest first, bounded queries), opening one,
marking all read, the preferences section; anonymous visitors and other businesses."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.notifications.choices import Kind
from apps.notifications.models import Notification, NotificationPreference
from tests.conftest import alpha, owner_email

from .factories import NotificationFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
COUNT = reverse("notifications:notification_count")
LIST = reverse("notifications:notification_list")
READ_ALL = reverse("notifications:notification_mark_all_read")
PREFS = reverse("notifications:notification_preferences")
# Pinned for a test's first request (cold host cache): search_path twice and the host lookup,
# session, user; then the count, or the notifications with their events and contacts
FRAGMENT_QUERIES = 6


@pytest.fixture
def bell(owner):
    """Twelve notifications of the owner (the newest two read) and one of someone else."""
    with alpha():
        rows = NotificationFactory.create_batch(12, user=owner)
        Notification.objects.filter(pk__in=[r.pk for r in rows[-2:]]).update(read_at=timezone.now())
        NotificationFactory()
    return rows


def test_the_count_is_the_members_unread_in_one_query(
    owner_client, bell, django_assert_max_num_queries
):
    with django_assert_max_num_queries(FRAGMENT_QUERIES):
        response = owner_client.get(COUNT, **HTMX)
    assert response.status_code == 200
    assert '<span class="bell__count">10</span>' in response.text
    assert "10 unread" in response.text


def test_no_unread_shows_no_badge(owner_client):
    response = owner_client.get(COUNT, **HTMX)
    assert "bell__count" not in response.text


def test_the_dropdown_lists_the_newest_first_with_their_links(
    owner_client, bell, django_assert_max_num_queries
):
    with alpha():
        Notification.objects.filter(pk=bell[0].pk).update(created="2031-01-01T00:00Z")
    with django_assert_max_num_queries(FRAGMENT_QUERIES):
        response = owner_client.get(LIST, {"panel": "1"}, **HTMX)
    assert response.status_code == 200
    html = response.text
    assert html.count('class="notif') >= 8 and html.count("notif--unread") <= 8
    ids = [
        int(part.split("/")[0]) for part in html.split("/notifications/")[1:] if part[0].isdigit()
    ]
    assert ids[0] == bell[0].pk and len(ids) == 8  # newest first, eight in the dropdown
    assert "New online booking" in html and "Check-up · Dr. Weber" in html
    assert "Mark all read" in html and reverse("accounts:settings_preferences") in html


def test_the_page_lists_them_all_in_the_same_few_queries(
    owner_client, bell, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):  # the page's shell included
        response = owner_client.get(LIST)
    assert response.status_code == 200
    assert (
        response.text.count('href="/notifications/') - response.text.count('href="/notifications/"')
        >= 12
    )
    assert "<title>Notifications" in response.text


def test_another_members_notifications_are_not_listed(owner_client, bell):
    with alpha():
        stranger = Notification.objects.exclude(user__email=owner_email("alpha")).get()
    response = owner_client.get(LIST)
    assert f"/notifications/{stranger.pk}/" not in response.text


def test_mark_all_read_empties_the_badge_out_of_band(owner_client, bell):
    response = owner_client.post(READ_ALL, {"panel": "1"}, **HTMX)
    assert response.status_code == 200
    assert 'id="bell-count" hx-swap-oob="innerHTML"' in response.text
    assert "notif--unread" not in response.text
    with alpha():
        assert not Notification.objects.filter(user__email=owner_email("alpha"), read_at=None)
        assert Notification.objects.filter(read_at=None).count() == 1  # someone else's


def test_mark_all_read_without_htmx_goes_back_to_the_page(owner_client, bell):
    response = owner_client.post(READ_ALL)
    assert response.status_code == 302 and response["Location"] == LIST


def test_opening_one_marks_it_read_and_goes_to_the_appointment(owner_client, bell):
    target = bell[0]
    response = owner_client.get(reverse("notifications:notification_open", args=[target.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("appointments:appointment_detail", args=[1])
    with alpha():
        target.refresh_from_db()
        assert target.read_at is not None
        assert Notification.objects.filter(user=target.user, read_at=None).count() == 9


def test_a_reply_opens_the_contact(owner_client, owner):
    with alpha():
        reply = NotificationFactory(
            user=owner, kind=Kind.REPLY, event__type="message.received", event__properties={}
        )
    response = owner_client.get(reverse("notifications:notification_open", args=[reply.pk]))
    assert response["Location"] == reverse("contacts:contact_detail", args=[reply.event.contact_id])


def test_another_members_notification_is_not_found(owner_client, bell):
    with alpha():
        stranger = Notification.objects.exclude(user__email=owner_email("alpha")).get()
    response = owner_client.get(reverse("notifications:notification_open", args=[stranger.pk]))
    assert response.status_code == 404


def test_another_businesss_notification_is_not_found(owner_client, outsider):
    with schema_context("beta"):
        theirs = NotificationFactory(user=outsider)
    response = owner_client.get(reverse("notifications:notification_open", args=[theirs.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "method, url",
    [
        ("get", COUNT),
        ("get", LIST),
        ("post", READ_ALL),
        ("get", reverse("notifications:notification_open", args=[1])),
        ("get", PREFS),
        ("post", PREFS),
    ],
)
def test_anonymous_visitors_and_the_other_business_are_sent_to_log_in(
    tenant_client, outsider_client, method, url
):
    for client in (tenant_client, outsider_client):
        response = getattr(client, method)(url, **HTMX)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


# --- the bell in the page's header ------------------------------------------------------------------
def test_every_staff_page_has_the_bell(owner_client):
    response = owner_client.get(reverse("dashboard:home"))
    assert 'class="bell"' in response.text
    assert f'hx-get="{COUNT}"' in response.text
    assert f'hx-get="{LIST}?panel=1"' in response.text


# --- preferences --------------------------------------------------------------------------------------
def test_the_preferences_page_loads_the_notifications_section(owner_client):
    response = owner_client.get(reverse("accounts:settings_preferences"))
    assert f'hx-get="{PREFS}"' in response.text and 'id="notifications"' in response.text


def test_the_section_shows_the_roles_defaults_until_the_member_chooses(owner_client):
    response = owner_client.get(PREFS, **HTMX)
    html = response.text
    assert response.status_code == 200
    for kind in Kind.values:
        assert f'name="{kind}__in_app" id="id_{kind}__in_app" checked' in html
    assert 'name="booked_online__email" id="id_booked_online__email" checked' in html
    assert 'name="reply__email" id="id_reply__email" checked' not in html


def test_saving_the_section_keeps_the_members_choice(owner_client, owner):
    response = owner_client.post(PREFS, {"reply__email": "on", "cancelled__in_app": "on"}, **HTMX)
    assert response.status_code == 200 and "Saved." in response.text
    with alpha():
        saved = {
            p.kind: (p.in_app, p.email) for p in NotificationPreference.objects.filter(user=owner)
        }
    assert saved == {
        Kind.BOOKED_ONLINE: (False, False),
        Kind.APPROVAL_NEEDED: (False, False),
        Kind.CANCELLED: (True, False),
        Kind.REPLY: (False, True),
    }


def test_the_section_without_htmx_is_the_preferences_page(owner_client):
    response = owner_client.get(PREFS)
    assert response["Location"] == reverse("accounts:settings_preferences") + "#notifications"
    response = owner_client.post(PREFS, {"reply__email": "on"})
    assert response["Location"] == reverse("accounts:settings_preferences") + "#notifications"


def test_every_role_has_the_bell_and_its_section(viewer_client):
    assert viewer_client.get(COUNT, **HTMX).status_code == 200
    assert viewer_client.get(PREFS, **HTMX).status_code == 200
