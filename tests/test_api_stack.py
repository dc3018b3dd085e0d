"""/api/v1/ as gunicorn serves it: the lean API middleware stack (cxsuite/lib/wsgi.py), in
which a call with an API key skips sessions and a call from a signed-in browser keeps them.
The rest of the API tests use the full stack through the test client."""

import pytest
from rest_framework.test import APIClient

from tests.accounts.test_api import ME, assert_error, session_api_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def api_stack(settings):
    settings.MIDDLEWARE = settings.API_MIDDLEWARE


def test_an_api_key_call_is_answered_without_touching_a_session(api_client, owner):
    api_client.force_login(owner)  # a session cookie too: the key decides, not the session
    response = api_client.get(ME)
    assert response.status_code == 200
    assert response.json()["kind"] == "api_key"
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies
    assert response["X-RateLimit-Limit"]


def test_a_signed_in_browser_still_uses_its_session(owner):
    response = session_api_client(owner).get(ME)
    assert response.status_code == 200
    assert (response.json()["kind"], response.json()["role"]) == ("user", "owner")
    assert "Cookie" in response["Vary"]


@pytest.mark.parametrize("header", ["Bearer", "Bearer cxs_garbage", "Bearer a b", "Basic eDp5"])
def test_bad_or_foreign_credentials_are_401_never_500(tenant, header):
    response = APIClient(HTTP_HOST="alpha.localhost", HTTP_AUTHORIZATION=header).get(ME)
    assert_error(response, 401)


def test_no_credentials_is_401(tenant):
    assert_error(APIClient(HTTP_HOST="alpha.localhost").get(ME), 401, "not_authenticated")


def test_an_exception_in_the_lean_stack_is_the_api_error_with_a_request_id(api_client, monkeypatch):
    from cxsuite.lib.throttling import RateLimitHeadersMiddleware

    def broken(self, request):
        raise RuntimeError("middleware failure")

    monkeypatch.setattr(RateLimitHeadersMiddleware, "__call__", broken)
    api_client.raise_request_exception = False
    response = api_client.get(ME)
    assert response.status_code == 500
    error = response.json()["error"]
    assert (error["code"], error["request_id"]) == ("server_error", response["X-Request-Id"])
