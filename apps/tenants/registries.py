"""What other apps plug into provisioning (see cxsuite/lib/registry.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cxsuite.lib.registry import Registry

if TYPE_CHECKING:
    from .models import Tenant


@dataclass(frozen=True)
class NewBusiness:
    """What a provisioning hook is told of the business being created."""

    tenant: Tenant
    owner_name: str
    owner_email: str
    owner_password: str
    language: str


provisioning_hooks: Registry[Callable[[NewBusiness], None]] = Registry(
    "tenants.provisioning_hooks",
    "Keyed by app label. `hook(business: NewBusiness)` runs inside the new business's schema, "
    "in the provisioning transaction, after its tables exist: accounts creates the owner, "
    "other apps set up what every business starts with (nightly jobs). Raising a "
    "ValidationError undoes the whole sign-up.",
)
