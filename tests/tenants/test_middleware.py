from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.tenants.models import Domain


def _routing_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/healthz").status_code == 200
    return [q["sql"] for q in captured.captured_queries if "tenants_domain" in q["sql"]]


def test_host_lookup_hits_the_database_once_then_comes_from_memory(tenant_client):
    assert len(_routing_queries(tenant_client)) == 1
    assert _routing_queries(tenant_client) == []


def test_a_domain_change_clears_the_cache(tenant_client, tenant):
    _routing_queries(tenant_client)
    Domain.objects.create(domain="alpha-extra.localhost", tenant=tenant, is_primary=False)
    assert len(_routing_queries(tenant_client)) == 1


def test_unknown_host_is_404(client, db):
    response = client.get("/", HTTP_HOST="nobody.localhost")
    assert response.status_code == 404


def test_base_domain_serves_the_public_site(public_client, db):
    response = public_client.get("/")
    assert response.status_code == 200
    assert "Create your business" in response.content.decode()
