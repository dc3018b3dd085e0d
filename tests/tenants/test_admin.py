"""The operator's admin on the base domain: businesses, their hosts, wake-up times, schema
states and the routing table."""

import pytest
from django.db import connection

from apps.accounts.models import User


@pytest.fixture
def operator_client(public_client, db):
    connection.set_schema_to_public()
    operator = User.objects.create_superuser("ops@cxsuite.test", "ops-secret-123", name="Ops")
    public_client.force_login(operator)
    return public_client


def test_operator_sees_every_business(operator_client):
    response = operator_client.get("/admin/tenants/tenant/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Alpha Dental" in content
    assert "Beta Repairs" in content


def test_operator_sees_wake_up_times(operator_client):
    assert operator_client.get("/admin/tenants/tenantwakeup/").status_code == 200


def test_operator_sees_where_each_schema_stands_and_the_routing_table(operator_client):
    from apps.tenants.models import SchemaState

    SchemaState.objects.filter(schema_name="beta").update(status="failed", error="boom")
    states = operator_client.get("/admin/tenants/schemastate/?status=failed")
    assert states.status_code == 200
    assert "beta" in states.content.decode() and "alpha" not in states.content.decode()
    assert operator_client.get("/admin/tenants/tenantdatabase/").status_code == 200


def test_admin_is_not_served_on_a_business_host(owner_client):
    assert owner_client.get("/admin/").status_code == 404
