"""One business's backup and restore, and moving a business to another database.

A dump is `pg_dump` of the business's schema (plain SQL), after a first line holding what the
public schema knows of the business (its profile, host names, database and the fingerprint
of the migrations its schema is at). `business_restore` loads it under the same or a new slug,
on any database of `DATABASES`, in one transaction there: the schema name in the SQL is
changed outside the data (the COPY blocks are loaded as they are), and `SET` statements are
made local to the transaction, so the connection is left as it was. The restored schema keeps
the dump's migration fingerprint: a dump made before a deploy is brought forward by
`migrate_businesses` (or the next `bootstrap`).

What a restore under a new slug does not change: text inside the business's rows that names
its old host (links typed into messages, say).

`business_move` places a business on another database: dump, restore there under the same
schema name, switch the routing row, drop the old schema. Writes made between the dump and
the switch would be lost, so it is run while the business is quiet (see docs/scaling.md).
"""

from __future__ import annotations

import glob
import gzip
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name

from ..databases import HOME, database_aliases, database_use, tenant_database
from ..db import connection
from ..models import Domain, SchemaState, Tenant, TenantDatabase, TenantWakeup
from .business import tenant_host, tenant_slug_validate, tenant_wakeup_at_least
from .schema_migrations import schema_state_record

HEADER = "-- cxsuite business dump: "
PROFILE_FIELDS = (
    "name",
    "country",
    "time_zone",
    "language",
    "currency",
    "plan",
    "brand_color",
    "logo",
    "phone",
    "email",
    "address",
    "website",
    "opening_note",
)


class BackupError(RuntimeError):
    """pg_dump is missing or failed, or a dump cannot be read."""


# --- PostgreSQL's tools ------------------------------------------------------------------------
def _candidates(name: str) -> list[str]:
    found = [shutil.which(name) or ""]
    spec = importlib.util.find_spec("pgserver")
    if spec is not None and spec.origin:
        found.append(str(Path(spec.origin).parent / "pginstall" / "bin" / name))
    found += sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return [path for path in found if path and os.access(path, os.X_OK)]


def _major(binary: str) -> int:
    try:
        out = subprocess.run(
            [binary, "--version"], capture_output=True, text=True, timeout=10, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return 0
    match = re.search(r"\)\s*(\d+)", out)
    return int(match.group(1)) if match else 0


def pg_dump_binary() -> str:
    """A pg_dump at least as new as the server (PATH, the embedded PostgreSQL's, the
    machine's)."""
    server = connection.pg_version // 10000
    for binary in _candidates("pg_dump"):
        if _major(binary) >= server:
            return binary
    raise BackupError(f"no pg_dump of PostgreSQL {server} or newer was found")


def _connection_args(settings: dict) -> tuple[list[str], dict[str, str]]:
    args, env = [], {**os.environ}
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            args += [option, str(settings[key])]
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    return [*args, "--dbname", str(settings["NAME"])], env


# --- dump --------------------------------------------------------------------------------------
def _open(path: str | Path, mode: str) -> IO[str]:
    if str(path).endswith(".gz"):
        return gzip.open(path, mode + "t", encoding="utf-8")  # type: ignore[return-value]
    return open(path, mode, encoding="utf-8")  # noqa: SIM115 - closed by the caller


def business_dump(*, slug: str, path: str | Path) -> dict:
    """Write the business's schema and public details to `path` (`.gz`: compressed);
    returns the details written in the header."""
    tenant = Tenant.objects.select_related("database_route").filter(slug=slug).first()
    if tenant is None or tenant.schema_name == get_public_schema_name():
        raise ValidationError({"slug": _("There is no business “%(slug)s”.") % {"slug": slug}})
    alias = tenant_database(tenant)
    with database_use(alias):
        state = SchemaState.objects.filter(schema_name=tenant.schema_name).first()
        settings = connection.settings_dict
        binary = pg_dump_binary()
    details = {
        "slug": tenant.slug,
        "schema_name": tenant.schema_name,
        "profile": {name: str(getattr(tenant, name) or "") for name in PROFILE_FIELDS},
        "domains": list(
            tenant.domains.order_by("-is_primary", "domain").values_list("domain", flat=True)
        ),
        "database": alias,
        "fingerprint": state.fingerprint if state and state.status == SchemaState.Status.OK else "",
        "dumped_at": timezone.now().isoformat(),
    }
    args, env = _connection_args(settings)
    command = [binary, f"--schema={tenant.schema_name}", "--no-owner", "--no-privileges", *args]
    with _open(path, "w") as out:
        out.write(HEADER + json.dumps(details) + "\n")
        out.flush()
        if str(path).endswith(".gz"):
            result = subprocess.run(command, capture_output=True, text=True, env=env)
            out.write(result.stdout)
        else:
            result = subprocess.run(command, stdout=out, stderr=subprocess.PIPE, text=True, env=env)
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()[-2000:]}")
    return details


def dump_details(path: str | Path) -> dict:
    with _open(path, "r") as dump:
        first = dump.readline()
    if not first.startswith(HEADER):
        raise BackupError(f"{path} is not a business dump (no header line)")
    return json.loads(first[len(HEADER) :])


# --- restore -----------------------------------------------------------------------------------
_COPY = re.compile(r"^COPY (\S+) \((.*)\) FROM stdin;$")


def _renamer(old: str, new: str):
    """Rename schema `old` in pg_dump's SQL: qualified names (`old.x`, `'old.x'`, `"old".x`)
    and `SCHEMA old`."""
    names = [re.escape(old), re.escape(f'"{old}"')]
    qualified = re.compile(r"(?<![\w\".$])(" + "|".join(names) + r")\.(?=[\w\"])")
    schema = re.compile(r"\bSCHEMA (" + "|".join(names) + r")(?=[;\s])")
    quoted_new = f'"{new}"'

    def rename(line: str) -> str:
        if old not in line:
            return line
        line = qualified.sub(quoted_new + ".", line)
        return schema.sub("SCHEMA " + quoted_new, line)

    return rename


def _local_settings(line: str) -> str | None:
    """Session settings of the dump, kept to the restore's transaction."""
    if line.startswith("SET transaction_timeout"):  # newer pg_dump, older server
        return None
    if line.startswith("SET "):
        return "SET LOCAL " + line[4:]
    return line.replace(
        "set_config('search_path', '', false)", "set_config('search_path', '', true)"
    )


def _load(dump: IO[str], *, old: str, new: str) -> None:
    """Run the dump's SQL, renamed, on the current connection (inside a transaction)."""
    rename = _renamer(old, new)
    statements: list[str] = []
    with connection.cursor() as cursor:

        def flush() -> None:
            sql = "".join(statements).strip()
            statements.clear()
            if sql:
                cursor.execute(sql)

        for line in dump:
            if line.startswith(("--", "\\")) or not line.strip():
                continue  # comments, psql's \restrict
            match = _COPY.match(line.rstrip("\n"))
            if match is None:
                kept = _local_settings(rename(line))
                if kept is not None:
                    statements.append(kept)
                continue
            flush()
            data = io.StringIO()
            for row in dump:
                if row == "\\.\n" or row == "\\.":
                    break
                data.write(row)
            with cursor.cursor.copy(rename(line.rstrip("\n"))) as copy:
                copy.write(data.getvalue())
        flush()


def _schema_exists(schema_name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema_name])
        return cursor.fetchone() is not None


def _schema_restore(path: str | Path, details: dict, *, schema_name: str, alias: str) -> None:
    """Load the dump's schema as `schema_name` on `alias`, with its state, in one transaction."""
    with database_use(alias):
        connection.set_schema_to_public()
        if _schema_exists(schema_name):
            raise ValidationError(
                {"slug": _("A schema “%(name)s” already exists there.") % {"name": schema_name}}
            )
        with transaction.atomic(), _open(path, "r") as dump:
            dump.readline()
            _load(dump, old=details["schema_name"], new=schema_name)
            schema_state_record(schema_name=schema_name, fingerprint=details["fingerprint"])


def _schema_drop(schema_name: str, alias: str) -> None:
    with database_use(alias):
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')
        SchemaState.objects.filter(schema_name=schema_name).delete()


def _tenant_copy(tenant: Tenant, alias: str) -> None:
    """The business's public row on a business database (its wake-up time points at it)."""
    with database_use(alias):
        copy = Tenant.objects.filter(pk=tenant.pk).first() or Tenant(pk=tenant.pk)
        for field in Tenant._meta.concrete_fields:
            setattr(copy, field.attname, getattr(tenant, field.attname))
        copy.auto_create_schema = False
        copy.save(verbosity=0)


def _wake(tenant: Tenant, alias: str) -> None:
    """A sweep soon, which sets the real next wake-up time from the restored due work."""
    with database_use(alias):
        connection.set_schema_to_public()
        tenant_wakeup_at_least(tenant_id=tenant.pk, due_at=timezone.now())


def business_restore(*, path: str | Path, slug: str | None = None, database: str = HOME) -> Tenant:
    """Create a business from a dump, under its own slug or `slug`, on `database`."""
    details = dump_details(path)
    if database not in database_aliases():
        raise ValidationError(
            {"database": _("There is no database “%(alias)s”.") % {"alias": database}}
        )
    with database_use(HOME):
        slug = tenant_slug_validate(slug or details["slug"])
        schema_name = slug.replace("-", "_")
        if Tenant.objects.filter(schema_name=schema_name).exists():
            raise ValidationError({"slug": _("“%(slug)s” is already taken.") % {"slug": slug}})
    _schema_restore(path, details, schema_name=schema_name, alias=database)
    try:
        with database_use(HOME), transaction.atomic():
            tenant = Tenant(slug=slug, schema_name=schema_name, **details["profile"])
            tenant.auto_create_schema = False
            tenant.save(verbosity=0)
            Domain.objects.create(domain=tenant_host(slug), tenant=tenant, is_primary=True)
            if database != HOME:
                TenantDatabase.objects.create(tenant=tenant, alias=database)
        if database != HOME:
            _tenant_copy(tenant, database)
    except BaseException:
        _schema_drop(schema_name, database)
        raise
    _wake(tenant, database)
    return tenant


def business_move(*, slug: str, database: str) -> Tenant:
    """Place a business on `database`: its schema is copied there, the routing row switched,
    and the old schema dropped."""
    if database not in database_aliases():
        raise ValidationError(
            {"database": _("There is no database “%(alias)s”.") % {"alias": database}}
        )
    with database_use(HOME):
        tenant = Tenant.objects.select_related("database_route").filter(slug=slug).first()
        if tenant is None:
            raise ValidationError({"slug": _("There is no business “%(slug)s”.") % {"slug": slug}})
    source = tenant_database(tenant)
    if source == database:
        return tenant
    with tempfile.TemporaryDirectory(prefix="cxsuite-move-") as folder:
        path = Path(folder) / f"{slug}.sql"
        details = business_dump(slug=slug, path=path)
        _schema_restore(path, details, schema_name=tenant.schema_name, alias=database)
    try:
        if database != HOME:
            _tenant_copy(tenant, database)
        with database_use(HOME), transaction.atomic():
            TenantDatabase.objects.filter(tenant=tenant).delete()  # signals clear host caches
            if database != HOME:
                TenantDatabase.objects.create(tenant=tenant, alias=database)
    except BaseException:
        _schema_drop(tenant.schema_name, database)
        raise
    _schema_drop(tenant.schema_name, source)
    with database_use(source):
        TenantWakeup.objects.filter(tenant_id=tenant.pk).delete()
        if source != HOME:  # the copy of its row there
            Tenant.objects.filter(pk=tenant.pk).delete()
    _wake(tenant, database)
    return Tenant.objects.select_related("database_route").get(pk=tenant.pk)
