"""Every write of the tenants app: businesses and their profile (business.py), the public
wake-up record of each business (business.py) and the recorded schema new businesses are
created from (schema_template.py)."""

from .business import (
    public_tenant_ensure,
    tenant_create,
    tenant_current,
    tenant_host,
    tenant_slug_suggest,
    tenant_slug_validate,
    tenant_update_profile,
    tenant_url,
    tenant_wakeup_at_least,
    tenant_wakeup_claim_due,
    tenant_wakeup_lock,
    tenant_wakeup_set,
    tenant_zone,
)
from .partners import partner_app_register
from .schema_template import schema_create_from_template, schema_template_ensure
from .signup import (
    SIGNUP_LOGIN_MAX_AGE,
    signup_login_token,
    signup_login_token_read,
)

__all__ = [
    "partner_app_register",
    "SIGNUP_LOGIN_MAX_AGE",
    "public_tenant_ensure",
    "schema_create_from_template",
    "schema_template_ensure",
    "signup_login_token",
    "signup_login_token_read",
    "tenant_create",
    "tenant_current",
    "tenant_zone",
    "tenant_host",
    "tenant_slug_suggest",
    "tenant_slug_validate",
    "tenant_update_profile",
    "tenant_url",
    "tenant_wakeup_at_least",
    "tenant_wakeup_claim_due",
    "tenant_wakeup_lock",
    "tenant_wakeup_set",
]
