"""The login throttle: each attempt is counted before its password is checked, in one atomic
step that every web process shares: Redis when configured, else a row of the business's
`accounts_logincounter` table. Each service test runs on both."""

from __future__ import annotations

import functools
import http.client
import os
import re
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings as project_settings
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import LoginCounter
from apps.accounts.services import (
    EMAIL_ONLY_FACTOR,
    login_attempt_register,
    login_attempts_clear,
)
from tests.conftest import PASSWORD, owner_email
from tests.helpers.clock import clock_env
from tests.helpers.redis import redis_url_or_skip
from tests.helpers.threads import run_together

EMAIL, IP = "owner@alpha.test", "10.0.0.1"
BASE_DIR = Path(project_settings.BASE_DIR)


def redis_forget_login_counts(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter("cxsuite:login:*"))
    if keys:
        client.delete(*keys)


@pytest.fixture(params=["postgresql", "redis"])
def backend(request, settings):
    """Where the counts live; the Redis keys of login counts are removed around each test."""
    if request.param == "postgresql":
        settings.LOGIN_THROTTLE_REDIS_URL = ""
        yield request.param
        return
    url = redis_url_or_skip()
    settings.LOGIN_THROTTLE_REDIS_URL = url
    redis_forget_login_counts(url)
    try:
        yield request.param
    finally:
        redis_forget_login_counts(url)


def _register(email: str = EMAIL, ip: str = IP):
    return login_attempt_register(email=email, ip=ip)


# --- the count ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_attempts_up_to_the_limit_go_ahead_and_the_next_is_blocked(tenant, backend, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    assert [_register(email="Owner@Alpha.test").blocked for _ in range(3)] == [False] * 3
    blocked = _register()
    assert blocked.blocked
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    assert timedelta(seconds=window - 60) < blocked.retry_after <= timedelta(seconds=window)
    assert not _register(email="someone.else@alpha.test").blocked


@pytest.mark.django_db
def test_a_stranger_elsewhere_cannot_lock_the_owner_out_with_a_few_attempts(
    tenant, backend, settings
):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(4):
        stranger = _register(ip="10.6.6.6")
    assert stranger.blocked
    assert not _register(ip="10.0.0.1").blocked


@pytest.mark.django_db
def test_many_attempts_from_many_addresses_block_the_email_everywhere(tenant, backend, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    spread = [_register(ip=f"10.1.1.{n}").blocked for n in range(3 * EMAIL_ONLY_FACTOR)]
    assert not any(spread)
    assert _register(email="OWNER@alpha.test", ip="10.9.9.9").blocked


@pytest.mark.django_db
def test_a_success_within_the_limit_forgets_the_attempts(tenant, backend, settings):
    limit = settings.LOGIN_FAILURE_LIMIT
    for _ in range(limit):
        assert not _register().blocked
    login_attempts_clear(email=EMAIL, ip=IP)
    assert [_register().blocked for _ in range(limit)] == [False] * limit
    assert _register().blocked


@pytest.mark.django_db
def test_a_success_does_not_forget_attempts_that_reached_the_block(tenant, backend, settings):
    """A right password checked while concurrent guesses went past the limit leaves them be."""
    for _ in range(settings.LOGIN_FAILURE_LIMIT + 1):
        _register()
    login_attempts_clear(email=EMAIL, ip=IP)
    assert _register().blocked


@pytest.mark.django_db
def test_a_window_that_has_passed_starts_the_count_again(tenant, backend, settings):
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 1
    for _ in range(settings.LOGIN_FAILURE_LIMIT + 1):
        attempt = _register()
    assert attempt.blocked
    time.sleep(1.2)
    assert not _register().blocked


@pytest.mark.django_db
def test_blocked_attempts_do_not_extend_the_window(tenant, backend, settings):
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 3
    for _ in range(settings.LOGIN_FAILURE_LIMIT + 1):
        _register()
    time.sleep(1.1)
    later = _register()
    assert later.blocked
    assert later.retry_after <= timedelta(seconds=1.95)


@pytest.mark.django_db
def test_attempts_in_one_business_do_not_count_in_another(tenant, other_tenant, backend, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT + 1):
        _register(email="shared@example.test")
    assert _register(email="shared@example.test").blocked
    with schema_context(other_tenant.schema_name):
        assert not _register(email="shared@example.test").blocked


def test_thirty_concurrent_attempts_let_exactly_the_limit_through(
    committed_tenant, backend, settings
):
    outcomes = run_together([_register] * 30, tenant=committed_tenant)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(not attempt.blocked for attempt in outcomes) == settings.LOGIN_FAILURE_LIMIT


# --- the PostgreSQL table ----------------------------------------------------------------------
@pytest.mark.django_db
def test_the_table_keeps_hashes_not_email_addresses(tenant, settings):
    settings.LOGIN_THROTTLE_REDIS_URL = ""
    _register()
    keys = list(LoginCounter.objects.values_list("key", flat=True))
    assert len(keys) == 2
    assert all(len(key) == 64 and "@" not in key for key in keys)
    assert connection.schema_name == "alpha"


@pytest.mark.django_db
def test_a_success_sweeps_windows_that_have_passed(tenant, settings):
    settings.LOGIN_THROTTLE_REDIS_URL = ""
    now = timezone.now()
    LoginCounter.objects.create(
        key="0" * 64, count=9, window_start=now - timedelta(hours=1), expires_at=now
    )
    _register(email="someone@alpha.test")
    login_attempts_clear(email=EMAIL, ip=IP)
    assert not LoginCounter.objects.filter(key="0" * 64).exists()
    assert LoginCounter.objects.count() == 2  # someone's attempt is still in its window


# --- two web processes -------------------------------------------------------------------------
class WebServers:
    """Two gunicorn servers (one process of four threads each) on the test database, as two
    web processes behind a load balancer; each password check leaves a line in `checks`."""

    def __init__(self, tmp: Path, env: dict[str, str]):
        self.checks = tmp / "checks"
        self.checks.touch()
        self.logs = tmp
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in PRIVATE_ENV},
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_NAME": connection.settings_dict["NAME"],
            "CXSUITE_PASSWORD_CHECKS": str(self.checks),
            "DATA_DIR": str(tmp),
            "PYTHONPATH": str(BASE_DIR),
            **clock_env(),  # a run --at another instant: the servers share its clock
            **env,
        }
        self.ports = [_free_port() for _ in range(2)]
        self.procs = [self._start(port) for port in self.ports]

    def _start(self, port: int) -> subprocess.Popen:
        log = open(self.logs / f"web-{port}.log", "wb")  # noqa: SIM115 (closed with the process)
        command = [sys.executable, "-m", "gunicorn", "cxsuite.wsgi:application"]
        command += ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4"]
        return subprocess.Popen(command, cwd=BASE_DIR, env=self.env, stdout=log, stderr=log)

    def log(self) -> str:
        return "".join(p.read_text(errors="replace") for p in self.logs.glob("web-*.log"))

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        for port in self.ports:
            while True:
                try:
                    if _request(port, "GET", "/login/")[0] == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline or any(p.poll() is not None for p in self.procs):
                    raise AssertionError(f"gunicorn did not start:\n{self.log()[-3000:]}")
                time.sleep(0.2)

    def password_checks(self) -> int:
        return len(self.checks.read_text().splitlines())

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


# Kept from the servers: they start without Redis unless a test gives it to them.
PRIVATE_ENV = {"REDIS_URL", "CACHE_URL", "CELERY_BROKER_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _request(port: int, method: str, path: str, *, body: str = "", cookie: str = ""):
    """(status, headers, text) of one request to alpha's host on a server."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Host": "alpha.localhost", "Cookie": cookie}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read().decode()
    finally:
        conn.close()


@pytest.fixture(params=["postgresql", "redis"])
def web_servers(request, committed_tenant, tmp_path):
    env = {}
    if request.param == "redis":
        url = redis_url_or_skip()
        env["TEST_LOGIN_THROTTLE_REDIS_URL"] = url
        redis_forget_login_counts(url)
    servers = WebServers(tmp_path, env)
    try:
        servers.wait_ready()
        yield servers
    finally:
        servers.stop()
        if request.param == "redis":
            redis_forget_login_counts(url)


def _login(port: int, password: str, form: tuple[str, str]):
    """Post the login form of alpha's owner to one server; `form` is (csrf token, cookie)."""
    token, cookie = form
    body = urlencode(
        {"username": owner_email("alpha"), "password": password, "csrfmiddlewaretoken": token}
    )
    return _request(port, "POST", "/login/", body=body, cookie=cookie)


@pytest.mark.web
def test_thirty_concurrent_wrong_passwords_through_two_processes_check_the_limit(web_servers):
    _status, headers, page = _request(web_servers.ports[0], "GET", "/login/")
    cookie = next(v.split(";")[0] for k, v in headers if k.lower() == "set-cookie")
    form = (re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1), cookie)
    ports = web_servers.ports

    wrong = run_together(
        [functools.partial(_login, ports[n % 2], "wrong-password", form) for n in range(30)]
    )
    assert not [o for o in wrong if isinstance(o, Exception)], wrong
    assert {status for status, _h, _text in wrong} == {200}
    texts = [text for _s, _h, text in wrong]
    assert sum("do not match" in text for text in texts) == 5
    assert sum("Too many failed attempts. Try again in 15 minutes" in t for t in texts) == 25
    assert web_servers.password_checks() == 5

    for n in range(6):
        status, headers, text = _login(ports[n % 2], PASSWORD, form)
        assert status == 200 and "Too many failed attempts" in text
        assert not any("sessionid" in v for k, v in headers if k.lower() == "set-cookie")
    assert web_servers.password_checks() == 5
