"""Writes and rules for the team: owners, invitations, roles, API keys and login throttling."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from oauth2_provider.models import (
    get_access_token_model,
    get_grant_model,
    get_refresh_token_model,
)

from apps.tenants.db import connection
from apps.tenants.languages import UI_LANGUAGES, ui_language
from apps.tenants.services import signup_login_token_read, tenant_current

from . import login_counters
from .models import ApiKey, Invitation, Role, User
from .scopes import all_scopes, scopes_unknown

INVITATION_SALT = "accounts.invitation"
API_KEY_PREFIX = "cxs"
LAST_USED_RESOLUTION = timedelta(seconds=60)


# --- users -------------------------------------------------------------------------------------
def user_create(*, email: str, name: str, password: str, role: str = Role.STAFF) -> User:
    """Create a team member in the current tenant, after the password rules have passed."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("A team member with this email already exists.")})
    candidate = User(email=email, name=name.strip(), role=role)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    candidate.set_password(password)
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError as exc:  # a concurrent sign-up with the same email
        raise ValidationError(
            {"email": _("A team member with this email already exists.")}
        ) from exc
    return candidate


def user_update(
    *,
    user: User,
    actor: User,
    role: str | None = None,
    is_active: bool | None = None,
    name: str | None = None,
    time_zone: str | None = None,
    language: str | None = None,
) -> User:
    """Change a member's profile, role or access; the business always keeps an active owner."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        changes_access = role is not None or is_active is not None
        if changes_access and not actor.has_role(Role.MANAGER):
            raise ValidationError({"role": _("Only owners and managers can change roles.")})
        if role == Role.OWNER and not actor.has_role(Role.OWNER):
            raise ValidationError({"role": _("Only an owner can make someone an owner.")})
        if user.role == Role.OWNER and changes_access and not actor.has_role(Role.OWNER):
            raise ValidationError({"role": _("Only an owner can change another owner.")})
        losing_owner = user.role == Role.OWNER and (
            (role is not None and role != Role.OWNER) or is_active is False
        )
        if losing_owner:
            owners = User.objects.select_for_update().filter(role=Role.OWNER, is_active=True)
            if owners.exclude(pk=user.pk).count() == 0:
                raise ValidationError({"role": _("The business needs at least one active owner.")})
        if role is not None:
            user.role = role
        if is_active is not None:
            user.is_active = is_active
        if name is not None:
            user.name = name.strip()
        if time_zone is not None:
            user.time_zone = time_zone
        if language is not None:
            if language and ui_language(language) != language:
                raise ValidationError(
                    {"language": _("Choose one of: %(c)s.") % {"c": ", ".join(UI_LANGUAGES)}}
                )
            user.language = language
        user.save()
    return user


# --- invitations -------------------------------------------------------------------------------
def invitation_token(invitation: Invitation) -> str:
    """The signed reference in the invitation link; it names the schema so it opens nowhere else."""
    return signing.dumps({"s": connection.schema_name, "i": invitation.pk}, salt=INVITATION_SALT)


def invitation_create(
    *, email: str, role: str, invited_by: User | None, accept_url_base: str
) -> Invitation:
    """Invite someone to the team and e-mail them a signed link (sent after commit).

    `invited_by` is None when a partner invites through the API with a write key.
    """
    email = email.strip().lower()
    if invited_by is not None and not invited_by.has_role(Role.MANAGER):
        raise ValidationError({"role": _("Only owners and managers can invite.")})
    if role == Role.OWNER and (invited_by is None or not invited_by.has_role(Role.OWNER)):
        raise ValidationError({"role": _("Only an owner can invite another owner.")})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already on the team.")})
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(email=email, role=role, invited_by=invited_by)
    except IntegrityError as exc:
        raise ValidationError({"email": _("This person already has an open invitation.")}) from exc
    link = f"{accept_url_base.rstrip('/')}/{invitation_token(invitation)}/"
    tenant = tenant_current()
    business = tenant.name
    # The invitee's language is not known yet: the business's, not the inviter's own choice.
    with translation.override(ui_language(tenant.language) or "en"):
        body = render_to_string(
            "accounts/email/invitation.txt",
            {"invitation": invitation, "link": link, "business": business},
        )
        subject = _("You are invited to join %(business)s") % {"business": business}
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))
    return invitation


def invitation_for_token(token: str) -> Invitation:
    """The open invitation a link points to, or a ValidationError saying why it cannot be used."""
    try:
        data = signing.loads(
            token, salt=INVITATION_SALT, max_age=settings.INVITATION_MAX_AGE_SECONDS
        )
    except signing.SignatureExpired as exc:
        raise ValidationError(_("This invitation has expired. Ask for a new one.")) from exc
    except signing.BadSignature as exc:
        raise ValidationError(_("This invitation link is not valid.")) from exc
    if data.get("s") != connection.schema_name:
        raise ValidationError(_("This invitation link is not valid."))
    invitation = Invitation.objects.filter(pk=data.get("i")).first()
    if invitation is None or not invitation.is_open:
        raise ValidationError(_("This invitation has already been used or withdrawn."))
    return invitation


def invitation_accept(*, token: str, name: str, password: str) -> User:
    """Turn an open invitation into a team member with the invited role."""
    with transaction.atomic():
        invitation = invitation_for_token(token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_open:
            raise ValidationError(_("This invitation has already been used or withdrawn."))
        user = user_create(
            email=invitation.email, name=name, password=password, role=invitation.role
        )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
    return user


def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    """Withdraw an open invitation; its link stops working."""
    if not actor.has_role(Role.MANAGER):
        raise ValidationError(_("Only owners and managers can withdraw invitations."))
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.is_open:
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
    return invitation


# --- API keys ----------------------------------------------------------------------------------
def _hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def api_key_create(*, name: str, scopes: list[str], created_by: User | None) -> tuple[ApiKey, str]:
    """Create a key and return it with the raw secret, which is never stored nor shown again."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the key a name, e.g. the partner it is for.")})
    unknown = scopes_unknown(scopes)
    if unknown or not scopes:
        raise ValidationError(
            {"scopes": _("Choose scopes among: %(valid)s.") % {"valid": ", ".join(all_scopes())}}
        )
    if created_by is not None and not created_by.has_role(Role.MANAGER):
        raise ValidationError({"scopes": _("Only owners and managers can create API keys.")})
    prefix = secrets.token_hex(4)
    raw_key = f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        name=name,
        prefix=prefix,
        hashed_key=_hash_key(raw_key),
        scopes=sorted(set(scopes)),
        created_by=created_by,
    )
    return key, raw_key


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    """Revoke a key; from the commit on, requests with it get 401 in every process (see
    `ApiKeyCache`)."""
    with transaction.atomic():
        ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        schema = connection.schema_name
        key_cache.forget(schema, api_key.hashed_key)
        transaction.on_commit(lambda: key_cache.revoked(schema))
    api_key.refresh_from_db()
    return api_key


def _shared_cache_configured() -> bool:
    return settings.API_KEY_REVOCATIONS_THROUGH_CACHE


class ApiKeyCache:
    """Keys seen recently in this process, per schema and hash, so the API serves a known key
    without a query.

    With Redis, each business has a revocation version there: a revocation raises it after
    its commit, and an entry cached under an older version is looked up again, so a revoked
    key stops working in every process at once, for one small read from Redis per request.
    Without Redis no process can tell the others, so every request asks the database. Entries
    also expire after API_KEY_CACHE_SECONDS; unknown keys are never cached.
    """

    MAX = 10_000

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], tuple[float, object, ApiKey]] = {}

    @staticmethod
    def _version_key(schema: str) -> str:
        return f"api-keys:revocations:{schema}"

    def version(self, schema: str) -> object | None:
        """The business's revocation version, or None when there is no shared cache."""
        if not _shared_cache_configured():
            return None
        from django.core.cache import cache

        return cache.get(self._version_key(schema), 0)

    def revoked(self, schema: str) -> None:
        self.entries = {k: v for k, v in self.entries.items() if k[0] != schema}
        if _shared_cache_configured():
            from django.core.cache import cache

            cache.set(self._version_key(schema), secrets.token_hex(8), timeout=None)

    def get(self, schema: str, hashed: str, version: object | None) -> ApiKey | None:
        if version is None:
            return None
        hit = self.entries.get((schema, hashed))
        if hit is None or hit[0] <= time.monotonic() or hit[1] != version:
            return None
        return hit[2]

    def put(self, schema: str, hashed: str, version: object | None, key: ApiKey) -> None:
        if version is None:
            return
        if len(self.entries) >= self.MAX:
            self.entries.clear()
        expires = time.monotonic() + settings.API_KEY_CACHE_SECONDS
        self.entries[(schema, hashed)] = (expires, version, key)

    def forget(self, schema: str, hashed: str) -> None:
        self.entries.pop((schema, hashed), None)


key_cache = ApiKeyCache()


def api_key_authenticate(*, raw_key: str, cache: ApiKeyCache | None = None) -> ApiKey | None:
    """The active key of this tenant matching `raw_key`, its last use recorded once a minute."""
    if not raw_key.startswith(f"{API_KEY_PREFIX}_"):
        return None
    cache = cache or key_cache
    hashed = _hash_key(raw_key)
    schema = connection.schema_name
    version = cache.version(schema)
    key = cache.get(schema, hashed, version)
    if key is None:
        key = ApiKey.objects.filter(hashed_key=hashed, revoked_at__isnull=True).first()
        if key is None:
            cache.forget(schema, hashed)
            return None
        cache.put(schema, hashed, version, key)
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


# --- partner apps (OAuth) ---------------------------------------------------------------------
def oauth_app_revoke(*, application_id: int, actor: User) -> int:
    """Withdraw a partner app's access to this business: its codes, access and refresh tokens
    here are deleted, so its next call is refused (tokens are looked up on every request).
    Returns how many tokens went."""
    if not actor.has_role(Role.OWNER):
        raise ValidationError(_("Only an owner can withdraw a partner app's access."))
    with transaction.atomic():
        get_grant_model().objects.filter(application_id=application_id).delete()
        refresh = get_refresh_token_model().objects.filter(application_id=application_id)
        access = get_access_token_model().objects.filter(application_id=application_id)
        refresh.update(access_token=None)
        access.update(source_refresh_token=None)
        gone = refresh.delete()[0] + access.delete()[0]
    return gone


# --- login throttling --------------------------------------------------------------------------
# Per address and email at the limit; per email alone (a spread-out attack) at four times it,
# so a stranger cannot lock the owner out with a handful of wrong passwords.
EMAIL_ONLY_FACTOR = 4


@dataclass(frozen=True)
class LoginAttempt:
    """Whether a login attempt may check its password, and if not, for how long it may not."""

    blocked: bool
    retry_after: timedelta = timedelta(0)


def _login_keys(email: str, ip: str) -> list[tuple[str, int]]:
    """(key, limit) pairs; keys are hashes of the business, address and email."""
    email = (email or "").strip().lower()
    limit = settings.LOGIN_FAILURE_LIMIT
    raw = [(f"ip:{ip}:{email}", limit), (f"email:{email}", limit * EMAIL_ONLY_FACTOR)]
    schema = connection.schema_name
    return [(_hash_key(f"{schema}:{name}"), limit) for name, limit in raw]


def login_attempt_register(*, email: str, ip: str) -> LoginAttempt:
    """Count an attempt before its password is checked, in one step that every web process
    shares, so concurrent guesses cannot get past the limit between a check and a count."""
    keys = _login_keys(email, ip)
    counted = login_counters.hit(
        [key for key, _limit in keys], window=settings.LOGIN_FAILURE_WINDOW_SECONDS
    )
    waits = [
        seconds
        for (_key, limit), (count, seconds) in zip(keys, counted, strict=True)
        if count > limit
    ]
    if not waits:
        return LoginAttempt(blocked=False)
    return LoginAttempt(blocked=True, retry_after=timedelta(seconds=max(waits)))


def login_attempts_clear(*, email: str, ip: str) -> None:
    """Forget the attempts after the right password, unless meanwhile they reached the block."""
    login_counters.clear(_login_keys(email, ip))


def user_signup_login_redeem(*, token: str) -> User:
    """The new owner a sign-up token was made for, on this business's host, once: the token
    is good only while its owner has never logged in, and redeeming it records the login
    under the row lock, so a replayed or raced token is refused."""
    email = signup_login_token_read(token=token, tenant=tenant_current())
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email=email, is_active=True).first()
        if user is None or user.last_login is not None:
            raise ValidationError(
                {"token": _("This sign-in link was already used. Log in with your password.")}
            )
        user.last_login = timezone.now()
        user.save(update_fields=["last_login"])
    return user


def owner_provision(business) -> None:
    """A new business starts with its owner (the provisioning hook of accounts)."""
    user_create(
        email=business.owner_email,
        name=business.owner_name,
        password=business.owner_password,
        role=Role.OWNER,
    )
