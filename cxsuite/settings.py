"""CX Suite settings, driven by environment variables (see README "Configuration").

Sections: environment helpers · core · tenancy · database · apps and middleware ·
auth · i18n and time · static and templates · security · cache · API · Celery · email.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


# --- environment helpers ---------------------------------------------------------------------
def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


# --- core --------------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", default=False)
# Public, for development only: `manage.py check --deploy` fails while it is in use.
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-secret-key-change-me-in-production-0123456789"
SECRET_KEY = env("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
BASE_DOMAIN = env("BASE_DOMAIN", "localhost")
# Where customers reach the product: every link in an e-mail, a text, an .ics file or a redirect
# is built from this one setting, by the web process and the worker alike. Give either
# PUBLIC_BASE_URL ("https://example.com", "http://localhost:8000") or PUBLIC_SCHEME and
# PUBLIC_PORT; a business's links are on `<slug>.<host>`. Never read from the process manager's
# PORT: each process gets its own (honcho gives the worker 8100), and a worker would then write
# links to a port where nothing listens.
_public_url = urlsplit(env("PUBLIC_BASE_URL").strip().rstrip("/"))
if _public_url.scheme and _public_url.hostname:
    BASE_DOMAIN = env("BASE_DOMAIN", _public_url.hostname)
PUBLIC_SCHEME = _public_url.scheme or env(
    "PUBLIC_SCHEME", "http" if BASE_DOMAIN == "localhost" else "https"
)
PUBLIC_PORT = (
    str(_public_url.port or "")
    if _public_url.scheme
    else env("PUBLIC_PORT", "8000" if BASE_DOMAIN == "localhost" else "")
)
PUBLIC_BASE_URL = f"{PUBLIC_SCHEME}://{BASE_DOMAIN}" + (
    f":{PUBLIC_PORT}"
    if PUBLIC_PORT and {"http": "80", "https": "443"}.get(PUBLIC_SCHEME) != PUBLIC_PORT
    else ""
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") or [BASE_DOMAIN, f".{BASE_DOMAIN}", "127.0.0.1"]
ROOT_URLCONF = "cxsuite.urls_tenant"
PUBLIC_SCHEMA_URLCONF = "cxsuite.urls_public"
WSGI_APPLICATION = "cxsuite.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATA_DIR = Path(env("DATA_DIR", str(BASE_DIR / ".data")))


# --- tenancy -----------------------------------------------------------------------------------
TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
# Set search_path once per connection and tenant, not before every query.
TENANT_LIMIT_SET_CALLS = True
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False
# How long a web process trusts its in-process host -> tenant map after a change elsewhere.
TENANT_CACHE_SECONDS = env_int("TENANT_CACHE_SECONDS", 30)
RESERVED_SUBDOMAINS = {
    "www",
    "api",
    "admin",
    "app",
    "mail",
    "smtp",
    "static",
    "media",
    "public",
    "help",
    "support",
    "status",
    "docs",
    "blog",
    "billing",
    "auth",
    "login",
    "signup",
    "dashboard",
}


# --- database ----------------------------------------------------------------------------------
def _database() -> dict:
    url = env("DATABASE_URL")
    if url:
        config = dj_database_url.parse(url)
    else:
        from cxsuite.embedded import postgres_socket_dir

        config = {"NAME": "cxsuite", "USER": "postgres", "PASSWORD": "", "HOST": "", "PORT": ""}
        config["HOST"] = postgres_socket_dir()
    if env("DATABASE_NAME"):  # the test worker points at the test database this way
        config["NAME"] = env("DATABASE_NAME")
    config.update(
        ENGINE="django_tenants.postgresql_backend",
        CONN_MAX_AGE=env_int("CONN_MAX_AGE", 60),
        CONN_HEALTH_CHECKS=True,
        TEST={"NAME": env("TEST_DATABASE_NAME") or None},
    )
    return config


def _business_databases(home: dict) -> dict:
    """More databases for businesses: BUSINESS_DATABASES="second=cx_second,third=postgres://..."
    (a name is a database on the home server). `apps.tenants.databases` routes to them."""
    extra = {}
    for item in filter(None, (env("BUSINESS_DATABASES") or "").split(",")):
        alias, _, target = item.strip().partition("=")
        config = {**home, "NAME": target, "TEST": {"NAME": None}}
        if "://" in target:
            config.update(dj_database_url.parse(target), ENGINE=home["ENGINE"])
        extra[alias] = config
    return extra


DATABASES = {"default": _database()}
DATABASES.update(_business_databases(DATABASES["default"]))
DATABASE_ROUTERS = (
    "apps.tenants.routers.BusinessDatabasesRouter",
    "django_tenants.routers.TenantSyncRouter",
)


# --- apps and middleware -----------------------------------------------------------------------
SHARED_APPS = [
    "django_tenants",
    "apps.tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django.contrib.postgres",
    "anymail",
    "apps.accounts",
    "oauth2_provider",  # its models are the project's: tenants.PartnerApp, accounts.OAuth*
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "apps.accounts",
    "apps.scheduling",
    "apps.contacts",
    "apps.messaging",
    "apps.appointments",
    "apps.loyalty",
    "apps.feedback",
    "apps.notifications",
    "apps.webhooks",
    "apps.campaigns",
    "apps.journeys",
    "apps.dashboard",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

MIDDLEWARE = [
    "apps.tenants.middleware.CachedTenantMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.accounts.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "apps.accounts.middleware.TimezoneMiddleware",
    "cxsuite.lib.throttling.RateLimitHeadersMiddleware",
]
# The API's own, leaner stack (cxsuite/lib/wsgi.py): what a JSON request needs, nothing more.
API_PATH_PREFIX = "/api/v1/"
API_MIDDLEWARE = [
    "apps.tenants.middleware.CachedTenantMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "cxsuite.lib.sessions.SessionUnlessApiKeyMiddleware",
    "apps.accounts.middleware.ApiTimezoneMiddleware",
    "cxsuite.lib.throttling.RateLimitHeadersMiddleware",
]


# --- auth --------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Argon2id: stronger against GPU guessing than PBKDF2 and about half its time per hash
# (0.15 s against 0.3-0.5 s here), which a sign-up and every login wait for. Hashes made
# with the older hashers still verify and are upgraded at the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# At most this many password checks per e-mail and address within the window (four times as
# many per e-mail from any address). Attempts are counted where every web process sees them:
# in Redis when REDIS_URL is set, else in a table of the business's schema.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)
INVITATION_MAX_AGE_SECONDS = 7 * 24 * 3600
SESSION_COOKIE_AGE = 14 * 24 * 3600


# --- i18n and time -----------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German")), ("fr", _("French")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"


# --- static and templates ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(DATA_DIR / "media")))
# Uploaded logos are served by the app itself unless a proxy or object store does it.
SERVE_MEDIA = env_bool("SERVE_MEDIA", default=True)
WHITENOISE_USE_FINDERS = True
# Hashed names and compressed copies from `collectstatic` (cxsuite/lib/static.py); WhiteNoise
# gives hashed files a year's immutable cache and the rest a minute.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "cxsuite.lib.static.StaticStorage"},
}
WHITENOISE_MAX_AGE = 60
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "apps.dashboard.context_processors.shell",
                "apps.messaging.context_processors.test_mode",
            ],
            # The business's date, time and time-zone formats (|cx_date, |cx_time, |cx_zone, ...)
            "builtins": ["apps.tenants.templatetags.cx_format"],
        },
    }
]


# --- security ----------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads no cookie; the token is rendered into hx-headers
if not DEBUG and PUBLIC_SCHEME == "https":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SILENCED_SYSTEM_CHECKS: list[str] = []
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}


# --- cache -------------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env("CACHE_URL", REDIS_URL),
            "KEY_FUNCTION": "django_tenants.cache.make_key",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_FUNCTION": "django_tenants.cache.make_key",
        }
    }
# Login attempts are counted in Redis when there is one (see "auth"), else in PostgreSQL.
LOGIN_THROTTLE_REDIS_URL = env("CACHE_URL", REDIS_URL) if REDIS_URL else ""
# A commit that recorded timeline events sends the subscribers' run only when none is waiting
# to start, which needs a cache every process shares (apps/contacts/events.py).
TIMELINE_WAKE_THROUGH_CACHE = CACHES["default"]["BACKEND"].endswith("RedisCache")


# --- API ---------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.accounts.permissions.HasRole"],
    "DEFAULT_THROTTLE_CLASSES": ["cxsuite.lib.throttling.ClientRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "cxsuite.lib.throttling.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "cxsuite.lib.filters.UpdatedSinceFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "cxsuite.lib.openapi.ErrorsAutoSchema",
    "EXCEPTION_HANDLER": "cxsuite.lib.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # the guarded entrance (cxsuite/lib/input.py): size, depth, numbers, control characters
    "DEFAULT_PARSER_CLASSES": [
        "cxsuite.lib.input.GuardedJSONParser",
        "cxsuite.lib.input.GuardedFormParser",
        "cxsuite.lib.input.GuardedMultiPartParser",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "cxsuite.lib.throttling.SingleRendererNegotiation",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# An upper bound on how long a web process trusts a key it has seen; with Redis a revocation
# reaches every process at once (apps/accounts/services.py ApiKeyCache).
API_KEY_CACHE_SECONDS = env_int("API_KEY_CACHE_SECONDS", 10)
# Whether the cache is one every web process shares (Redis): else each request asks the database.
API_KEY_REVOCATIONS_THROUGH_CACHE = CACHES["default"]["BACKEND"].endswith("RedisCache")

# OAuth 2.0 for partner apps (django-oauth-toolkit): apps are registered on the public site
# (public schema); a business's owner authorises one on the business's host with the
# authorisation-code flow and PKCE; grants and tokens live in that business's schema.
OAUTH2_PROVIDER_APPLICATION_MODEL = "tenants.PartnerApp"
OAUTH2_PROVIDER_GRANT_MODEL = "accounts.OAuthGrant"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "accounts.OAuthAccessToken"
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "accounts.OAuthRefreshToken"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "accounts.OAuthIDToken"
OAUTH2_PROVIDER = {
    "PKCE_REQUIRED": True,
    "SCOPES_BACKEND_CLASS": "apps.accounts.oauth.ScopesBackend",
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("OAUTH_ACCESS_TOKEN_SECONDS", 3600),
    "REFRESH_TOKEN_EXPIRE_SECONDS": env_int("OAUTH_REFRESH_TOKEN_SECONDS", 90 * 86400),
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ROTATE_REFRESH_TOKEN": True,
    # plain http only where DEBUG is on (a partner's app on localhost)
    "ALLOWED_REDIRECT_URI_SCHEMES": env_list("OAUTH_REDIRECT_SCHEMES")
    or (["https", "http"] if DEBUG else ["https"]),
    "REQUEST_APPROVAL_PROMPT": "force",
    # RFC 9700 (OAuth 2.0 Security BCP): no implicit or password grant, PKCE with S256 only,
    # tokens only in the Authorization header, `iss` in the answer, tokens kept as hashes,
    # a replayed refresh token revokes its family.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
}
# Where idempotent POSTs keep their answers (the API base views live below every app, so
# they name the model the way AUTH_USER_MODEL does, instead of importing it).
API_IDEMPOTENCY_MODEL = "accounts.IdempotencyRecord"
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 600)  # requests per key (or user) per window
API_RATE_WINDOW_SECONDS = env_int("API_RATE_WINDOW_SECONDS", 60)
API_BODY_MAX_BYTES = env_int("API_BODY_MAX_BYTES", 2 * 1024 * 1024)  # larger is a 413
# An Idempotency-Key whose first request neither answered nor failed for this long (its process
# was killed, or timed out) is taken over by the next retry; longer than any request may run.
IDEMPOTENCY_IN_FLIGHT_SECONDS = env_int("IDEMPOTENCY_IN_FLIGHT_SECONDS", 120)
SPECTACULAR_SETTINGS = {
    "TITLE": "CX Suite API",
    "DESCRIPTION": "REST API of one CX Suite business. Authenticate with "
    "`Authorization: Bearer <credential>`: an API key (Settings → API keys) or a partner app's "
    "OAuth access token. Each key or app reaches what its scopes cover (`contacts:read`, "
    "`appointments:write`, or `read` / `write` for everything). Lists are cursor-paged and take "
    "`updated_since`; every error has one body. The developer page (/developers/) has a quick "
    "start, OAuth, webhooks and the event catalogue.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Deep links put a link inside each operation's button (nested controls a screen reader
    # cannot reach); the operation ids stay visible without them.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    # the 201 of each create links to the read, update and delete of what it made
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cxsuite.lib.openapi.add_links",
    ],
}


# --- Celery ------------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL == "filesystem://":
    from cxsuite.embedded import broker_folders
    from cxsuite.lib.folder_broker import TRANSPORT as CELERY_BROKER_TRANSPORT  # noqa: F401

    CELERY_BROKER_TRANSPORT_OPTIONS = broker_folders()
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", "cxsuite")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TENANT_CACHE_SECONDS = 30
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
DUE_WORK_TICK_SECONDS = float(env("DUE_WORK_TICK_SECONDS", "10"))
# A tenant whose sweep was dispatched is not dispatched again for this long (a lost task retries).
DUE_WORK_LEASE_SECONDS = env_int("DUE_WORK_LEASE_SECONDS", 60)
DUE_WORK_BATCH = env_int("DUE_WORK_BATCH", 200)


# --- messaging ---------------------------------------------------------------------------------
# Key for provider secrets stored in the database (Fernet, 32 url-safe base64 bytes). Without
# it a key is derived from SECRET_KEY, which is fine for development only: `manage.py check
# --deploy` fails until it is set.
MESSAGING_ENCRYPTION_KEY = env("MESSAGING_ENCRYPTION_KEY")
# Where links in messages (unsubscribe, tracking) point when no request is at hand.
MESSAGING_TRACK_LINKS = env_bool("MESSAGING_TRACK_LINKS", True)
# A message a worker claimed for its provider and did not record within this many seconds
# (the worker died) is reconciled with the provider instead of being handed over blindly.
MESSAGING_SENDING_LEASE_SECONDS = env_int("MESSAGING_SENDING_LEASE_SECONDS", 300)
# "outbox": e-mails go to the outbox provider too (nothing leaves, no MIME is built), as texts
# do by default; "" (the default): through Django's e-mail backend.
MESSAGING_EMAIL_PROVIDER = env("MESSAGING_EMAIL_PROVIDER")
TWILIO_API_BASE = env("TWILIO_API_BASE", "https://api.twilio.com")
# E-mail service providers' tracking webhooks (django-anymail) answer only with this
# "user:password" basic-auth secret; set EMAIL_BACKEND to the provider's anymail backend.
ANYMAIL = {"WEBHOOK_SECRET": env("ANYMAIL_WEBHOOK_SECRET") or None}

# --- webhooks ----------------------------------------------------------------------------------
# Deliveries never reach private, loopback, link-local (cloud metadata) or reserved addresses,
# and endpoints must be https, unless these allow it for development (deploy checks fail then).
WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE", DEBUG)
WEBHOOKS_REQUIRE_HTTPS = env_bool("WEBHOOKS_REQUIRE_HTTPS", not DEBUG)
WEBHOOKS_TIMEOUT_SECONDS = env_int("WEBHOOKS_TIMEOUT_SECONDS", 15)
WEBHOOKS_SEND_THREADS = env_int("WEBHOOKS_SEND_THREADS", 8)  # POSTs at once per task
# An endpoint that answered only failures for this long is turned off and its owners told.
WEBHOOKS_DISABLE_AFTER = timedelta(days=env_int("WEBHOOKS_DISABLE_AFTER_DAYS", 5))


# --- email -------------------------------------------------------------------------------------
# Development writes each e-mail to a file in .data/mail (the Outbox shows them too).
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", f"CX Suite <no-reply@{BASE_DOMAIN}>")


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
    # the folder broker's URL has no host name by design; kombu warns about it on every send
    "loggers": {"kombu.connection": {"level": "ERROR"}},
}
