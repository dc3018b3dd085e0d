"""The API's last resort (a 500 with the standard body and a request id, whatever raised) and
idempotency that cannot get stuck: a failure of ours releases the key, a retry runs again, only
2xx and 4xx answers are kept (as the bytes sent), and a key left in flight by a dead process is
taken over after a while."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from apps.accounts.models import ApiKey, IdempotencyRecord
from apps.accounts.services import api_key_create
from apps.contacts import services
from apps.contacts.models import Task
from cxsuite.lib.throttling import RateLimitHeadersMiddleware
from tests.accounts.test_api import assert_error
from tests.conftest import alpha
from tests.contacts.factories import ContactFactory

TASKS = "/api/v1/tasks/"
ME = "/api/v1/me/"


def fail_first(monkeypatch, failure) -> list:
    """task_create runs `failure` on its first call instead of its work, then works again: a
    failure that passes, as a retry would meet it. Returns the list of calls."""
    real = services.task_create
    calls: list = []

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            return failure(**kwargs)
        return real(**kwargs)

    monkeypatch.setattr(services, "task_create", flaky)
    return calls


def raise_(exc: Exception):
    def failure(**kwargs):
        raise exc

    return failure


def database_error(**kwargs):
    """A real error from PostgreSQL, inside a transaction as every service writes."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT 1 / 0")


def post_task(client, contact, key: str | None = None, title: str = "Call back"):
    headers = {"Idempotency-Key": key} if key else {}
    body = json.dumps({"contact": contact.pk, "title": title})
    return client.post(TASKS, body, content_type="application/json", headers=headers)


def assert_server_error(response) -> str:
    assert response.status_code == 500, response.content
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields", "request_id"}
    assert (error["code"], error["fields"]) == ("server_error", {})
    assert error["request_id"] == response["X-Request-Id"]
    return error["request_id"]


@pytest.fixture
def contact(tenant):
    return ContactFactory()


# --- the last resort ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_an_unexpected_exception_is_a_500_with_a_request_id_logged_with_its_traceback(
    api_client, contact, monkeypatch, caplog
):
    fail_first(monkeypatch, raise_(RuntimeError("the disk is on fire")))
    with caplog.at_level(logging.ERROR, logger="cxsuite.api"):
        response = post_task(api_client, contact)
    request_id = assert_server_error(response)
    assert "disk" not in response.content.decode()  # nothing of ours leaks out
    [record] = [r for r in caplog.records if r.name == "cxsuite.api"]
    assert request_id in record.getMessage() and record.request_id == request_id
    assert record.exc_info[0] is RuntimeError


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("given", "kept"),
    [("edge-7f3a9c21", True), ("short", False), ("bad id with spaces", False)],
)
def test_the_request_id_of_the_proxy_in_front_is_kept_when_it_is_sane(
    api_client, contact, monkeypatch, given, kept
):
    fail_first(monkeypatch, raise_(RuntimeError("boom")))
    response = api_client.post(
        TASKS, {"contact": contact.pk, "title": "x"}, format="json", HTTP_X_REQUEST_ID=given
    )
    assert (assert_server_error(response) == given) is kept


@pytest.mark.django_db
def test_an_exception_in_middleware_is_the_same_500_on_the_api_path_only(
    api_client, owner_client, monkeypatch
):
    def broken(self, request):
        raise RuntimeError("middleware failure")

    monkeypatch.setattr(RateLimitHeadersMiddleware, "__call__", broken)
    api_client.raise_request_exception = False
    assert_server_error(api_client.get(ME))
    owner_client.raise_request_exception = False
    page = owner_client.get("/")
    assert page.status_code == 500
    assert page["Content-Type"].startswith("text/html")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/contacts/abc/", "/api/v1/no-such-thing/"])
def test_a_path_no_view_matches_is_the_api_404_on_the_api_path_only(
    read_api_client, owner_client, path
):
    response = read_api_client.get(path)
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "Not found.", "fields": {}}
    }
    page = owner_client.get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")


# --- idempotency -------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    "failure",
    [raise_(RuntimeError("boom")), database_error],
    ids=["exception", "database-error"],
)
def test_after_a_failure_of_ours_the_same_key_runs_again_and_succeeds(
    api_client, contact, monkeypatch, failure
):
    calls = fail_first(monkeypatch, failure)
    assert_server_error(post_task(api_client, contact, key="retry-me"))
    with alpha():
        assert not IdempotencyRecord.objects.exists()  # released, not stuck in flight
    again = post_task(api_client, contact, key="retry-me")
    assert again.status_code == 201, again.content
    replay = post_task(api_client, contact, key="retry-me")
    assert (replay.status_code, replay.content) == (201, again.content)
    assert replay["Idempotent-Replayed"] == "true"
    assert len(calls) == 2
    with alpha():
        assert Task.objects.count() == 1
        assert IdempotencyRecord.objects.get().status_code == 201


@pytest.mark.django_db
def test_a_400_that_echoes_a_nul_is_kept_and_replayed_byte_for_byte(
    api_client, contact, monkeypatch
):
    calls = fail_first(monkeypatch, raise_(ValidationError({"title": "Not “a\x00b”."})))
    first = post_task(api_client, contact, key="nul-echo")
    assert "\x00" in assert_error(first, 400)["fields"]["title"][0]
    assert b"\\u0000" in first.content
    second = post_task(api_client, contact, key="nul-echo")
    assert (second.status_code, second.content) == (400, first.content)
    assert second["Idempotent-Replayed"] == "true"
    assert len(calls) == 1


@pytest.mark.django_db
def test_an_answer_that_fails_on_its_way_out_releases_the_key(api_client, contact, monkeypatch):
    """The exception comes after the view (rendering the answer), where no handler catches it:
    the key is released all the same, and the page-level last resort answers."""
    fail_first(monkeypatch, lambda **kwargs: Task(contact=kwargs["contact"], title="\ud800"))
    api_client.raise_request_exception = False
    assert_server_error(post_task(api_client, contact, key="on-the-way-out"))
    with alpha():
        assert not IdempotencyRecord.objects.exists()
    assert post_task(api_client, contact, key="on-the-way-out").status_code == 201


@pytest.mark.django_db
def test_only_2xx_and_4xx_answers_are_kept(api_client, contact, monkeypatch):
    fail_first(monkeypatch, raise_(RuntimeError("boom")))
    post_task(api_client, contact, key="a")  # 500
    post_task(api_client, contact, key="b", title="")  # 400
    post_task(api_client, contact, key="c")  # 201
    with alpha():
        kept = dict(IdempotencyRecord.objects.values_list("key", "status_code"))
    assert kept == {"b": 400, "c": 201}


@pytest.mark.django_db
def test_a_key_left_in_flight_by_a_dead_process_is_taken_over_after_the_limit(
    api_client, contact, settings
):
    body = json.dumps({"contact": contact.pk, "title": "Call back"})
    with alpha():
        record = IdempotencyRecord.objects.create(
            client=f"key:{ApiKey.objects.get().pk}",
            key="orphan",
            method="POST",
            path=TASKS,
            body_hash=hashlib.sha256(body.encode()).hexdigest(),
        )

    def started(seconds_ago: int) -> None:
        with alpha():
            when = timezone.now() - dt.timedelta(seconds=seconds_ago)
            IdempotencyRecord.objects.filter(pk=record.pk).update(started_at=when)

    started(settings.IDEMPOTENCY_IN_FLIGHT_SECONDS - 5)
    response = post_task(api_client, contact, key="orphan")
    assert_error(response, 409, "idempotency_in_progress")
    started(settings.IDEMPOTENCY_IN_FLIGHT_SECONDS + 5)
    response = post_task(api_client, contact, key="orphan")
    assert response.status_code == 201, response.content
    with alpha():
        assert IdempotencyRecord.objects.get().status_code == 201
        assert Task.objects.count() == 1


@pytest.fixture
def committed_key(committed_tenant) -> Iterator[str]:
    with schema_context(committed_tenant.schema_name):
        key, raw = api_key_create(name="committed", scopes=["read", "write"], created_by=None)
    try:
        yield raw
    finally:
        with schema_context(committed_tenant.schema_name):
            ApiKey.objects.filter(pk=key.pk).delete()


def test_after_a_database_error_outside_any_transaction_the_key_is_released(
    committed_tenant, committed_key, monkeypatch
):
    """As in production (autocommit, no test transaction around): the failed statement is the
    view's own, and the release still reaches the database."""

    def bare_database_error(**kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")

    contact = ContactFactory()
    client = APIClient(HTTP_HOST="alpha.localhost", HTTP_AUTHORIZATION=f"Bearer {committed_key}")
    fail_first(monkeypatch, bare_database_error)
    assert_server_error(post_task(client, contact, key="committed"))
    assert not IdempotencyRecord.objects.exists()
    assert post_task(client, contact, key="committed").status_code == 201
    assert IdempotencyRecord.objects.get().status_code == 201


# --- pagination --------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/contacts/", "/api/v1/transactions/", "/api/v1/users/"])
@pytest.mark.parametrize(
    "cursor", ["garbage", "o=abc", "o=" + "9" * 5_000], ids=["junk", "nan", "huge"]
)
def test_an_invalid_cursor_is_a_400_naming_cursor(read_api_client, url, cursor):
    if "=" in cursor:
        cursor = base64.b64encode(cursor.encode()).decode()
    error = assert_error(read_api_client.get(url, {"cursor": cursor}), 400, "invalid")
    assert list(error["fields"]) == ["cursor"]


# --- every API view -----------------------------------------------------------------------------
def test_every_api_view_goes_through_the_entrance():
    from django.urls import URLPattern, URLResolver

    from cxsuite.lib.api import TenantViewSetMixin
    from cxsuite.urls_tenant import api_urlpatterns

    views, pending = [], list(api_urlpatterns)
    while pending:
        entry = pending.pop()
        if isinstance(entry, URLResolver):
            pending.extend(entry.url_patterns)
        elif isinstance(entry, URLPattern) and hasattr(entry.callback, "cls"):
            views.append(entry.callback.cls)
    assert len(views) > 20
    outside = {view.__name__ for view in views if not issubclass(view, TenantViewSetMixin)}
    assert outside <= {"APIRootView"}  # the router's index: reads nothing
