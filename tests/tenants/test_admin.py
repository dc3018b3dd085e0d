"""The operator's admin on the base domain: businesses, their hosts and wake-up times."""

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


def test_admin_is_not_served_on_a_business_host(owner_client):
    assert owner_client.get("/admin/").status_code == 404
