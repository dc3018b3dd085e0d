"""Which database a business lives on, and pointing the connection at it.

The home database (`DATABASES["default"]`) holds the routing: every business, its host names
and the routing table `TenantDatabase` (business -> database alias). A business without a
row there lives on the home database. Every other alias of `DATABASES` (added from the
`BUSINESS_DATABASES` setting) is a business database: its public schema has the shared
tables (migrated like the home one), a copy of the rows of the businesses it holds, their
wake-up times and schema states; and it has those businesses' schemas.

Code never names a database: the edges choose it. The tenant middleware, the Celery task
prerun (from the `_database` header the sender adds) and management commands call
`database_switch` / `database_use`, which make `connections["default"]`, in this thread only,
the wrapper of the business's database. `django.db.connection`, `transaction.atomic()` and the
ORM follow it, so a service written for one database runs unchanged on any of them, its
transactions included. `docs/scaling.md` has the design and what it costs.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.core.exceptions import ObjectDoesNotExist
from django.db import DEFAULT_DB_ALIAS, connections

if TYPE_CHECKING:
    from .models import Tenant

HOME = DEFAULT_DB_ALIAS
_state = threading.local()  # alias: the database `default` points at; home: its own wrapper


def database_aliases() -> list[str]:
    """Every database that can hold businesses, the home one first."""
    return [HOME, *(alias for alias in connections.settings if alias != HOME)]


def tenant_database(tenant: Tenant) -> str:
    """The alias of the database holding `tenant`'s schema (one query unless the routing row
    was selected with the tenant, as the middleware does)."""
    try:
        return tenant.database_route.alias
    except ObjectDoesNotExist:
        return HOME


def database_current() -> str:
    """The database `connections["default"]` points at in this thread."""
    return getattr(_state, "alias", HOME)


def database_switch(alias: str) -> None:
    """Point `connections["default"]` of this thread at `alias`'s wrapper (HOME: back home).

    The wrapper of a business database is the one registered under its own alias, so
    Django's per-request clean-up (`close_old_connections`) looks after it as usual.
    """
    current = database_current()
    if alias == current:
        return
    if alias not in connections.settings:
        raise LookupError(f"no database {alias!r} in DATABASES")
    if current == HOME:
        _state.home = connections[DEFAULT_DB_ALIAS]
    connections[DEFAULT_DB_ALIAS] = _state.home if alias == HOME else connections[alias]
    _state.alias = alias


@contextmanager
def database_use(alias: str) -> Iterator[None]:
    """Inside the block, `connection` and the ORM talk to `alias`."""
    previous = database_current()
    database_switch(alias)
    try:
        yield
    finally:
        database_switch(previous)


def database_settings(name_or_url: str) -> dict:
    """A business database's settings: a URL, or a database name on the home server."""
    import dj_database_url
    from django.conf import settings

    home = settings.DATABASES[HOME]
    if "://" in name_or_url:
        config = {**home, **dj_database_url.parse(name_or_url)}
        config["ENGINE"] = home["ENGINE"]
    else:
        config = {**home, "NAME": name_or_url}
    config["TEST"] = {"NAME": None}
    return config


def database_close_all() -> None:
    """Close this thread's connections, the home one too when it is switched away (before a
    fork, so no child shares a socket with its parent)."""
    connections.close_all()
    home = getattr(_state, "home", None)
    if home is not None and database_current() != HOME:
        home.close()
