import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

from apps.messaging.services.settings import key_derived_from


def test_csp_allows_scripts_only_from_self_or_with_a_nonce(owner_client):
    response = owner_client.get("/")
    policy = response["Content-Security-Policy"]
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip()
    )
    script_src = directives["script-src"]
    assert "'nonce-" in script_src
    assert "unsafe-eval" not in policy
    assert "unsafe-inline" not in script_src
    nonce = script_src.split("'nonce-")[1].split("'")[0]
    html = response.content.decode()
    assert f'nonce="{nonce}"' in html
    assert "<script>" not in html  # every inline script carries the nonce


def test_public_pages_carry_the_policy_too(public_client, db):
    response = public_client.get("/signup/")
    assert "script-src" in response["Content-Security-Policy"]


def _production_env(**changes: str | None) -> dict[str, str]:
    """The environment of a production deploy, with `changes` (None removes a variable)."""
    from cryptography.fernet import Fernet

    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "cxsuite.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "MESSAGING_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "BASE_DOMAIN": "cxsuite.example.com",
        "PUBLIC_SCHEME": "https",
    }
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_with_production_settings_prints_no_warnings():
    result = _check_deploy(_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


DEVELOPMENT_MESSAGING_KEY = key_derived_from(settings.DEVELOPMENT_SECRET_KEY).decode()


@pytest.mark.parametrize(
    ("changes", "check_id"),
    [
        ({"SECRET_KEY": None}, "accounts.E001"),
        ({"SECRET_KEY": settings.DEVELOPMENT_SECRET_KEY}, "accounts.E001"),
        ({"MESSAGING_ENCRYPTION_KEY": None}, "messaging.E001"),
        ({"MESSAGING_ENCRYPTION_KEY": ""}, "messaging.E001"),
        ({"MESSAGING_ENCRYPTION_KEY": DEVELOPMENT_MESSAGING_KEY}, "messaging.E001"),
        ({"MESSAGING_ENCRYPTION_KEY": "not-a-fernet-key"}, "messaging.E002"),
    ],
    ids=[
        "no-secret-key",
        "development-secret-key",
        "no-encryption-key",
        "empty-encryption-key",
        "development-encryption-key",
        "malformed-encryption-key",
    ],
)
def test_check_deploy_fails_on_a_public_or_missing_secret(changes, check_id):
    result = _check_deploy(_production_env(**changes))
    assert result.returncode != 0
    assert check_id in result.stderr, result.stdout + result.stderr
    others = {"accounts.E001", "messaging.E001", "messaging.E002"} - {check_id}
    assert not [other for other in others if other in result.stderr]


def test_passwords_are_hashed_with_argon2_and_older_hashes_still_verify():
    """The production settings (the tests run with a fast hasher) choose Argon2id, whose
    library is installed, and keep PBKDF2 so hashes made before the switch still log in."""
    from django.contrib.auth.hashers import check_password, make_password
    from django.test import override_settings

    import cxsuite.settings as production

    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        encoded = make_password("correct horse battery")
        assert encoded.startswith("argon2$argon2id$")
        assert check_password("correct horse battery", encoded)
        assert not check_password("wrong horse", encoded)
        old = make_password("correct horse battery", hasher="pbkdf2_sha256")
        assert check_password("correct horse battery", old)
