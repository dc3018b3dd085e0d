"""The home page's "Unread replies" card: its content, every role, the outsider, its queries."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.conftest import alpha
from tests.contacts.factories import ContactFactory
from tests.messaging.factories import InboundMessageFactory

pytestmark = pytest.mark.django_db
REPLIES = "/messages/home/replies/"
HTMX = {"HTTP_HX_REQUEST": "true"}
# the session, the user and the shell around any card, then the newest unread replies with
# their contacts and how many there are
CARD_QUERIES = 7


def test_the_card_lists_the_newest_unread_replies(staff_client):
    ada = ContactFactory(first_name="Ada", last_name="Lovelace")
    InboundMessageFactory(contact=ada, body="Can I come at 4 instead?")
    InboundMessageFactory(body="Already read", read_at=timezone.now())
    content = staff_client.get(REPLIES, **HTMX).content.decode()
    assert 'id="home-messaging-replies"' in content and ">Unread replies" in content
    assert f'href="/messages/conversations/{ada.pk}/#conversation-composer">Ada Lovelace' in content
    assert "Can I come at 4 instead?" in content and "Already read" not in content
    assert '<span class="badge badge--warning">1</span>' in content


def test_the_card_counts_the_replies_it_does_not_show(viewer_client):
    InboundMessageFactory.create_batch(7)
    content = viewer_client.get(REPLIES, **HTMX).content.decode()
    assert '<span class="badge badge--warning">7</span>' in content
    assert content.count('class="list__item"') == 5
    assert "2 more unread replies" in content


def test_the_card_says_when_nothing_waits(viewer_client):
    content = viewer_client.get(REPLIES, **HTMX).content.decode()
    assert "No unread replies." in content and "badge" not in content


@pytest.mark.parametrize(
    "client_name", ["owner_client", "manager_client", "staff_client", "viewer_client"]
)
def test_every_role_sees_the_card(request, tenant, client_name):
    InboundMessageFactory(body="Running late")
    response = request.getfixturevalue(client_name).get(REPLIES, **HTMX)
    assert response.status_code == 200 and "Running late" in response.content.decode()


def test_the_card_s_address_opened_itself_leads_home(owner_client):
    response = owner_client.get(REPLIES)
    assert response.status_code == 302 and response.url == "/"


def test_the_card_is_not_open_to_the_outsider_or_anonymous(outsider_client, tenant_client):
    with alpha():
        InboundMessageFactory(body="Alpha's secret reply")
    for client in (outsider_client, tenant_client):
        response = client.get(REPLIES, **HTMX)
        assert response.status_code == 302
        assert response.url == f"/login/?next={REPLIES}"
        assert b"secret reply" not in response.content


def test_the_card_s_queries_do_not_grow_with_the_replies(
    staff_client, django_assert_max_num_queries
):
    InboundMessageFactory.create_batch(12)
    with django_assert_max_num_queries(CARD_QUERIES):
        response = staff_client.get(REPLIES, **HTMX)
    assert response.status_code == 200
