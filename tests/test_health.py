import pytest

from cxsuite.celery import app


def test_healthz_reports_database_and_broker(public_client, db):
    response = public_client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "broker": "ok"}


def test_healthz_answers_on_a_business_host(tenant_client):
    assert tenant_client.get("/healthz").json()["checks"]["database"] == "ok"


@pytest.fixture
def unreachable_broker():
    before = app.conf.broker_write_url
    app.conf.broker_write_url = "redis://127.0.0.1:1/0"
    yield
    app.conf.broker_write_url = before


def test_healthz_is_503_when_the_broker_is_down(public_client, db, unreachable_broker):
    response = public_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("error")
