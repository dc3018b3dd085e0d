"""The developer page on each business's host."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.utils import timezone

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


def _snippets(content: str) -> list[str]:
    return [
        unescape(block)
        for block in re.findall(
            r'<pre class="code" tabindex="0"><code>(.*?)</code></pre>', content, re.S
        )
    ]


@pytest.mark.django_db
def test_the_pages_signature_checks_agree_with_the_standardwebhooks_package(tenant_client):
    """The page's two ways to verify a delivery, run against one the package signs."""
    import base64
    import datetime as dt
    import secrets

    pytest.importorskip("standardwebhooks")
    from standardwebhooks.webhooks import Webhook

    snippets = _snippets(tenant_client.get("/developers/").content.decode())
    by_hand = next(s for s in snippets if s.startswith("import base64, hashlib, hmac, time"))
    with_package = next(s for s in snippets if s.startswith("from standardwebhooks"))
    namespace: dict = {}
    exec(by_hand, namespace)  # noqa: S102 - the page's own example
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    body = b'{"type": "contact.created", "timestamp": "2026-03-05T14:30:00Z", "data": {}}'
    now = dt.datetime.now(dt.UTC)
    signature = Webhook(secret).sign("msg_1", now, body.decode())
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }
    assert namespace["verify"](secret, headers, body) is True
    assert namespace["verify"](secret, headers, body + b" ") is False  # forged
    stale = {**headers, "webhook-timestamp": str(int(now.timestamp()) - 600)}
    assert namespace["verify"](secret, stale, body) is False
    package = {"request_body": body.decode(), "request_headers": headers}
    exec(with_package.replace("whsec_…", secret), package)  # noqa: S102
    assert package["payload"]["type"] == "contact.created"


@pytest.mark.django_db
def test_the_sample_bodies_have_the_shape_deliveries_send(tenant):
    from apps.contacts.models import TimelineEvent
    from apps.dashboard.views import event_samples
    from apps.webhooks.services.deliveries import webhook_payload

    sample = json.loads(event_samples()[0]["body"])
    sent = webhook_payload(
        TimelineEvent(
            pk=1,
            contact_id=2,
            type=sample["type"],
            occurred_at=timezone.now(),
            properties={},
        )
    )
    assert sample.keys() == sent.keys()
    assert sample["data"].keys() == sent["data"].keys()
