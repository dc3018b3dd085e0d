"""Tenant A's session, API key and tasks never read or write tenant B's rows."""

from django.db import connection
from django_tenants.utils import schema_context

from apps.accounts.models import User
from tests.accounts.factories import UserFactory
from tests.conftest import host_of, logged_in


def test_a_session_from_one_business_is_not_logged_in_on_another(outsider_client):
    response = outsider_client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_session_from_one_business_gets_no_data_from_another_api(outsider_client):
    response = outsider_client.get("/api/v1/users/")
    assert response.status_code in (401, 403)
    assert "results" not in response.json()


def test_an_api_key_works_only_on_its_own_host(outsider_api_client):
    response = outsider_api_client.get("/api/v1/users/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_an_id_that_exists_only_in_one_business_is_not_found_in_another(
    tenant, other_tenant, outsider, client
):
    alpha_only = [UserFactory() for _ in range(5)][-1]
    with schema_context(other_tenant.schema_name):
        assert not User.objects.filter(pk=alpha_only.pk).exists()
    beta_client = logged_in(client, outsider, other_tenant)
    beta_client.defaults["HTTP_HOST"] = host_of(other_tenant)
    response = beta_client.get(f"/api/v1/users/{alpha_only.pk}/")
    assert response.status_code == 404
    assert alpha_only.email not in response.content.decode()


def test_writes_through_one_host_land_only_in_that_business(owner_client, tenant, other_tenant):
    response = owner_client.post(
        "/settings/users/", {"email": "new.person@example.test", "role": "staff"}
    )
    assert response.status_code == 302
    with schema_context(other_tenant.schema_name):
        from apps.accounts.models import Invitation

        assert not Invitation.objects.filter(email="new.person@example.test").exists()
    connection.set_tenant(tenant)
    from apps.accounts.models import Invitation

    assert Invitation.objects.filter(email="new.person@example.test").exists()
