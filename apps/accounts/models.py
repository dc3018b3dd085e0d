"""Staff users, their roles and invitations, and the business's API keys (tenant schema)."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower, Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import (
    AbstractAccessToken,
    AbstractGrant,
    AbstractIDToken,
    AbstractRefreshToken,
)
from oauth2_provider.settings import oauth2_settings

from apps.tenants.models import TIME_ZONE_CHOICES
from cxsuite.lib.filters import KeepsUpdatedMixin

from .choices import Role


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields):
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.update(is_staff=True, is_superuser=True, role=Role.OWNER)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str):
        return self.get(email__iexact=username)


class User(KeepsUpdatedMixin, AbstractBaseUser, PermissionsMixin):
    """A member of the business's team. Logs in by e-mail; the role decides what they may do.

    In the public schema the same table holds the operator's admin accounts.
    """

    email = models.EmailField(_("email"), max_length=254, unique=True)
    name = models.CharField(_("name"), max_length=120)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.STAFF)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        choices=TIME_ZONE_CHOICES,
        blank=True,
        help_text=_("Leave empty to use the business's time zone."),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        help_text=_("Leave empty to use the business's language."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("operator admin access"), default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    updated = models.DateTimeField(auto_now=True, db_default=Now())  # `updated_since`

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["name", "email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci")]

    def __str__(self) -> str:
        return self.name or self.email

    def has_role(self, role: str) -> bool:
        return self.is_active and Role.rank(self.role) >= Role.rank(role)


class Invitation(KeepsUpdatedMixin, models.Model):
    """An invitation to join the team; the e-mailed link carries a signed reference to it."""

    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.STAFF)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    updated = models.DateTimeField(auto_now=True, db_default=Now())  # `updated_since`

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="accounts_invitation_one_open_per_email",
            )
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


class ApiKey(models.Model):
    """A partner's key to this business's API. Only a hash is kept; the key is shown once."""

    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=16, unique=True)
    hashed_key = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)  # see scopes.py: "contacts:read", ..., or "read"
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(models.Model):
    """The answer to a POST sent with an Idempotency-Key, replayed on a retry.

    While the first request runs, `status_code` is empty ("in flight"); a retry then hears 409,
    unless the flight started more than IDEMPOTENCY_IN_FLIGHT_SECONDS ago (its process died),
    in which case the retry takes the record over. The answer is kept as the bytes that went
    out, so a replay is exactly what the client first received.
    """

    client = models.CharField(max_length=40)  # "key:<id>" or "user:<id>"
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=255)
    body_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_content = models.BinaryField(null=True)
    started_at = models.DateTimeField(db_default=Now())  # of the request that holds it
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="accounts_idempotency_unique")
        ]
        indexes = [models.Index(fields=["created"])]

    def __str__(self) -> str:
        return f"{self.client} {self.key}"


class LoginCounter(models.Model):
    """Login attempts under one key (an address with an e-mail, or an e-mail alone) within a
    window, where no Redis is configured: one statement counts and reads them, so every web
    process shares the count. The key is a hash; the table holds no e-mail address."""

    key = models.CharField(max_length=64, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="accounts_logincounter_expiry")]

    def __str__(self) -> str:
        return f"{self.key[:12]}… {self.count}"


# --- partner apps (OAuth 2.0, django-oauth-toolkit) ----------------------------------------------
# The apps are registered once in the public schema (tenants.PartnerApp); the grants and tokens
# below live in each business's schema, so a token is found on its own business's host alone.
# Their link to the app has no database constraint: a business's schema never names the public
# one (a new business replays its tables' SQL with its own schema alone on the search path).
def _application_link(**kwargs) -> models.ForeignKey:
    return models.ForeignKey(
        oauth2_settings.APPLICATION_MODEL,
        on_delete=models.CASCADE,
        db_constraint=False,
        related_name="+",
        verbose_name=_("application"),
        **kwargs,
    )


class OAuthGrant(AbstractGrant):
    """An authorisation code an owner gave a partner app (with its PKCE challenge)."""

    application = _application_link()

    class Meta(AbstractGrant.Meta):
        swappable = "OAUTH2_PROVIDER_GRANT_MODEL"


class OAuthAccessToken(AbstractAccessToken):
    """A partner app's access token for this business; `scope` is what the owner granted."""

    application = _application_link(blank=True, null=True)

    class Meta(AbstractAccessToken.Meta):
        swappable = "OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL"


class OAuthRefreshToken(AbstractRefreshToken):
    """A partner app's refresh token for this business."""

    application = _application_link()

    class Meta(AbstractRefreshToken.Meta):
        swappable = "OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL"


class OAuthIDToken(AbstractIDToken):
    """OpenID Connect ID tokens (unused: the API needs no identity), required by the others."""

    application = _application_link(blank=True, null=True)

    class Meta(AbstractIDToken.Meta):
        swappable = "OAUTH2_PROVIDER_ID_TOKEN_MODEL"
