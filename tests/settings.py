"""Settings for the test suite: the project's own, plus a probe app whose due-work handler
leaves a row per run, so tests (and a real worker started by them) can count executions.
A worker or beat the tests start runs on the tests' clock (`tests.helpers.clock.clock_env`)."""

import os
import tempfile

# Tasks sent by code under test (after-commit deliveries, ...) go to a folder and a queue of
# their own that no demo worker reads; the worker tests start workers on private queues.
os.environ.setdefault("BROKER_DIR", tempfile.mkdtemp(prefix="cxsuite-test-broker-"))
os.environ.setdefault("CELERY_QUEUE", "tests-unconsumed")

from cxsuite.settings import *  # noqa: E402

if os.environ.get("CXSUITE_TEST_NOW"):  # started by a test that runs on a moved clock
    from tests.helpers.clock import clock_follow_env

    clock_follow_env()

TENANT_APPS = [*TENANT_APPS, "tests.probe"]
INSTALLED_APPS = [*INSTALLED_APPS, "tests.probe"]
STATIC_ROOT = None  # files come from the finders; no collectstatic before tests
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# MD5 for speed; it counts password checks where CXSUITE_PASSWORD_CHECKS names a file.
PASSWORD_HASHERS = ["tests.hashers.CountingMD5PasswordHasher"]
# An event type the catalogue does not declare fails the test that records it.
EVENT_CATALOGUE_STRICT = True
# A worker a test starts writes its e-mails to files the test reads (its memory is its own).
EMAIL_BACKEND = os.environ.get(
    "TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend"
)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "KEY_FUNCTION": "django_tenants.cache.make_key",
    }
}
# One process (the live servers of the tests are threads): its cache is shared by all.
API_KEY_REVOCATIONS_THROUGH_CACHE = True
# Partner apps' redirect addresses in tests are local receivers.
OAUTH2_PROVIDER = {**OAUTH2_PROVIDER, "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"]}
# Login attempts are counted in the business's table (each test's transaction forgets them);
# tests of the Redis path point this at Redis themselves (web processes they start, with this).
LOGIN_THROTTLE_REDIS_URL = os.environ.get("TEST_LOGIN_THROTTLE_REDIS_URL", "")
# Webhooks post to receivers the tests run on this machine over http; the tests of the
# address guard turn this off.
WEBHOOKS_ALLOW_PRIVATE = True
WEBHOOKS_REQUIRE_HTTPS = False
