"""The developer page on each business's host."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from apps.contacts.registries import event_types


@pytest.mark.django_db
def test_anyone_may_read_the_developer_page(tenant_client):
    response = tenant_client.get("/developers/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "http://alpha.localhost/api/v1/me/" in content
    for needle in ("webhook-signature", "standardwebhooks", "code_challenge_method=S256"):
        assert needle in content


@pytest.mark.django_db
def test_the_page_has_a_sample_body_for_every_event_type(tenant_client):
    content = tenant_client.get("/developers/").content.decode()
    bodies = [
        json.loads(unescape(body))
        for body in re.findall(
            r'<pre class="code" tabindex="0"><code>(\{\n.*?)</code></pre>', content, re.S
        )
    ]
    types = {body["type"] for body in bodies}
    assert types == set(event_types)
    for body in bodies:
        assert set(body["data"]["properties"]) == set(event_types[body["type"]].properties)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["viewer_client", "outsider_client", "owner_client"])
def test_every_persona_sees_the_same_page(persona, request):
    assert request.getfixturevalue(persona).get("/developers/").status_code == 200


@pytest.mark.django_db
def test_the_page_names_every_resource_scope(tenant_client):
    content = tenant_client.get("/developers/").content.decode()
    for scope in ("contacts:read", "appointments:write", "custom-fields:read"):
        assert scope in content


@pytest.mark.django_db
def test_the_page_shows_no_business_data(tenant_client, tenant):
    from tests.contacts.factories import ContactFactory

    ContactFactory(first_name="Zenobia")
    assert "Zenobia" not in tenant_client.get("/developers/").content.decode()


@pytest.mark.django_db
def test_the_page_is_on_business_hosts_only(public_client):
    assert public_client.get("/developers/").status_code == 404


@pytest.mark.django_db
def test_the_page_answers_in_a_few_queries(tenant_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert tenant_client.get("/developers/").status_code == 200
