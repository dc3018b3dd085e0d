"""Scale: what many businesses cost a deploy and PostgreSQL, at 100 and then 1,000 businesses.

The bench adds businesses up to each size (schemas replayed from the recording, as sign-up
makes them, with a host name each; no owner or demo data: the cost measured is the schema's),
and prints at each size:

- a no-op `bootstrap` (a process, as a deploy runs it; target under 2 s at 1,000 and flat),
  and the one query that finds the schemas behind;
- one added migration (`bench.scaleapp`, a table) applied to every business by
  `migrate_businesses --workers 4` (target under 3 minutes at 1,000); afterwards the bench
  takes it out again, so the next size starts from the same code;
- disk per business (its tables, indexes and sequences), the growth of the system catalogue
  and of the database per business, tables and indexes per schema;
- the first request of a new web process (its connection starts with an empty catalogue
  cache), then the first request to another business in it, and a warm one;
- `pg_dump` of one business (its schema among all the others);
- the extrapolation to 10,000 businesses, with its assumptions.

10,000 businesses are not made: their empty tables and indexes would take tens of gigabytes
here. The businesses are dropped at the end.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, Section, bench_env, verdict

# BENCH_SCALE_SIZES="100" measures one size (a quicker look after a change); BENCH_SCALE_KEEP=1
# keeps the businesses afterwards, for the next run to measure again without making them
SIZES = tuple(int(n) for n in os.environ.get("BENCH_SCALE_SIZES", "100,1000").split(","))
KEEP = os.environ.get("BENCH_SCALE_KEEP") == "1"
WORKERS = 4
SLUG_PREFIX = "scale-"
BOOTSTRAP_TARGET = 2.0
MIGRATE_TARGET = 180.0
EXTRAPOLATE_TO = 10_000
BOOTSTRAP_RUNS = 3
SMOKE = {"SIZES": (2, 4), "BOOTSTRAP_RUNS": 1}

_FIRST_REQUEST = """
import json, time
started = time.perf_counter()
import django
django.setup()
from django.test import Client
ready = time.perf_counter()
out = {"setup": ready - started}
for key, host in (("first", HOSTS[0]), ("other", HOSTS[1]), ("warm", HOSTS[1])):
    began = time.perf_counter()
    status = Client(HTTP_HOST=host).get("/login/").status_code
    assert status == 200, status
    out[key] = time.perf_counter() - began
print(json.dumps(out))
"""


def _slug(number: int) -> str:
    return f"{SLUG_PREFIX}{number:05d}"


def _schema(number: int) -> str:
    return _slug(number).replace("-", "_")


def _missing(upto: int) -> list[int]:
    """The numbers up to `upto` without a business whose schema exists (one left half-made
    by an aborted run is dropped first)."""
    from django.db import connection

    from apps.tenants.models import Tenant

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", [SLUG_PREFIX[:-1] + "\\_%"]
        )
        schemas = {row[0] for row in cursor.fetchall()}
    businesses = dict(
        Tenant.objects.filter(slug__startswith=SLUG_PREFIX).values_list("schema_name", "pk")
    )
    Tenant.objects.filter(pk__in=[pk for s, pk in businesses.items() if s not in schemas]).delete()
    return [
        n for n in range(1, upto + 1) if _schema(n) not in schemas or _schema(n) not in businesses
    ]


def _create(upto: int) -> float:
    """Businesses `scale-00001` ... up to `upto` (those missing); seconds per business."""
    from django.db import transaction

    from apps.tenants.models import Domain, Tenant
    from apps.tenants.services import schema_create_from_template, schema_template_ensure
    from apps.tenants.services.business import tenant_host
    from apps.tenants.services.schema_migrations import schema_state_record

    template = schema_template_ensure()
    numbers = _missing(upto)
    started = time.perf_counter()
    for number in numbers:
        with transaction.atomic():
            tenant = Tenant(name=f"Scale {number}", slug=_slug(number), schema_name=_schema(number))
            tenant.auto_create_schema = False
            tenant.save(verbosity=0)
            schema_create_from_template(tenant.schema_name, template)
            schema_state_record(schema_name=tenant.schema_name, fingerprint=template.fingerprint)
            Domain.objects.create(domain=tenant_host(tenant.slug), tenant=tenant, is_primary=True)
    return (time.perf_counter() - started) / max(1, len(numbers))


def _cleanup(above: int = 0) -> None:
    """Drop the bench's businesses numbered above `above` and their schemas (all of them, also
    those of an aborted run, by default)."""
    from django.db import connection

    from apps.tenants.models import SchemaState, Tenant

    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", [SLUG_PREFIX[:-1] + "\\_%"]
        )
        schemas = sorted(row[0] for row in cursor.fetchall() if row[0] > _schema(above))
        for name in schemas:  # one at a time: a lock per relation, and the lock table is shared
            cursor.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    Tenant.objects.filter(slug__startswith=SLUG_PREFIX, slug__gt=_slug(above)).delete()
    SchemaState.objects.filter(
        schema_name__startswith=SLUG_PREFIX[:-1] + "_", schema_name__gt=_schema(above)
    ).delete()


def _manage(*args: str, settings_module: str | None = None) -> tuple[float, str]:
    env = bench_env(**({"DJANGO_SETTINGS_MODULE": settings_module} if settings_module else {}))
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return seconds, result.stdout


def _behind_query_ms() -> float:
    from apps.tenants.services.schema_migrations import schemas_behind

    times = []
    for _ in range(5):
        started = time.perf_counter()
        behind = schemas_behind()
        times.append((time.perf_counter() - started) * 1000)
    assert behind == [], behind[:5]
    return statistics.median(times)


def _added_migration(count: int) -> float:
    """Seconds for migrate_businesses to apply bench.scaleapp's migration to every business;
    then the migration is taken out again (table, records, content types, states)."""
    seconds, out = _manage(
        "migrate_businesses",
        f"--workers={WORKERS}",
        *(f"--schema={_schema(number)}" for number in range(1, count + 1)),
        settings_module="bench.scale_settings",
    )
    if f"{count} migrated, 0 failed" not in out:
        raise RuntimeError(f"the added migration did not reach every business:\n{out[-2000:]}")
    _take_out_added_migration(count)
    return seconds


def _take_out_added_migration(count: int) -> None:
    """Back to the code without `bench.scaleapp` (also after an interrupted run)."""
    from django.db import connection

    from apps.tenants.services.schema_template import migrations_fingerprint

    with connection.cursor() as cursor:
        for number in range(1, count + 1):
            schema = _schema(number)
            cursor.execute(
                f'DROP TABLE IF EXISTS "{schema}".scaleapp_giftcard; '
                f"DELETE FROM \"{schema}\".django_migrations WHERE app = 'scaleapp'; "
                f'DELETE FROM "{schema}".auth_permission WHERE content_type_id IN '
                f"(SELECT id FROM \"{schema}\".django_content_type WHERE app_label = 'scaleapp'); "
                f"DELETE FROM \"{schema}\".django_content_type WHERE app_label = 'scaleapp'"
            )
        cursor.execute(
            "UPDATE tenants_schemastate SET fingerprint = %s, status = 'ok' "
            "WHERE schema_name LIKE %s",
            [migrations_fingerprint(), SLUG_PREFIX[:-1] + "\\_%"],
        )


def _sizes() -> dict[str, float]:
    """Bytes of the bench's schemas, of the system catalogue and of the database."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname LIKE %s AND c.relkind IN ('r', 'S')",
            [SLUG_PREFIX[:-1] + "\\_%"],
        )
        schemas = float(cursor.fetchone()[0])
        cursor.execute(
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
            "WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'r'"
        )
        catalogue = float(cursor.fetchone()[0])
        cursor.execute("SELECT pg_database_size(current_database())")
        database = float(cursor.fetchone()[0])
    return {"schemas": schemas, "catalogue": catalogue, "database": database}


def _relations(schema: str) -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relkind, count(*) FROM pg_class WHERE relnamespace = %s::regnamespace "
            "GROUP BY relkind",
            [schema],
        )
        return dict(cursor.fetchall())


def _first_request(count: int) -> dict[str, float]:
    from apps.tenants.services.business import tenant_host

    hosts = [tenant_host(_slug(count)), tenant_host(_slug(max(1, count // 2)))]
    script = f"HOSTS = {hosts!r}\n" + _FIRST_REQUEST
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=bench_env(), capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(f"the new web process failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _dump(count: int) -> tuple[float, float]:
    """Seconds and bytes of one business's dump (NaN without a pg_dump for the server)."""
    from apps.tenants.services.backup import BackupError, business_dump

    with tempfile.TemporaryDirectory(prefix="cxsuite-scale-") as folder:
        path = Path(folder) / "one.sql"
        started = time.perf_counter()
        try:
            business_dump(slug=_slug(max(1, count // 2)), path=path)
        except BackupError as exc:
            print(f"  pg_dump not measured: {exc}")
            return float("nan"), float("nan")
        return time.perf_counter() - started, path.stat().st_size


def _line(x: tuple[int, int], y: tuple[float, float], at: int) -> float:
    """The straight line through two measurements, at `at` (never below the larger one)."""
    slope = (y[1] - y[0]) / (x[1] - x[0]) if x[1] != x[0] else 0.0
    return max(y[1], y[1] + slope * (at - x[1]))


def _mb(value: float) -> str:
    return f"{value / 1e6:.2f}"


def measure(size: int) -> dict:
    """Every figure at `size` businesses (made first when fewer exist)."""
    from django.db import connection

    _cleanup(above=size)  # left by an earlier run kept with BENCH_SCALE_KEEP
    create = _create(size)
    connection.set_schema_to_public()
    bootstraps = [_manage("bootstrap")[0] for _ in range(BOOTSTRAP_RUNS)]
    query_ms = _behind_query_ms()
    sizes = _sizes()
    relations = _relations(_schema(1))
    first = _first_request(size)
    dump_seconds, dump_bytes = _dump(size)
    migrate = _added_migration(size)
    return {
        "size": size,
        "create": create,
        "bootstrap": statistics.median(bootstraps),
        "query_ms": query_ms,
        "migrate": migrate,
        "schema_bytes": sizes["schemas"] / size,
        "catalogue_total": sizes["catalogue"],
        "database_total": sizes["database"],
        "tables": relations.get("r", 0),
        "indexes": relations.get("i", 0),
        "sequences": relations.get("S", 0),
        "first": first,
        "dump": dump_seconds,
        "dump_bytes": dump_bytes,
    }


def run() -> Section:
    from django.db import connection

    connection.set_schema_to_public()
    if not KEEP:
        _cleanup()
    _manage("bootstrap")
    base = _sizes()
    figures: list[dict] = []
    try:
        for size in SIZES:
            figures.append(measure(size))
            print(f"  measured at {size:,} businesses: {json.dumps(figures[-1], default=str)}")
            sys.stdout.flush()  # kept even if the clean-up below fails
    finally:
        connection.set_schema_to_public()
        if not KEEP:
            _cleanup()
    return section(figures, base)


def section(figures: list[dict], base: dict[str, float] | None = None) -> Section:
    """The table. Catalogue and database growth per business: between the two sizes when
    there are two (what one more business adds), else from `base` (no bench business)."""
    figures = sorted(figures, key=lambda f: f["size"])
    for index, f in enumerate(figures):
        before = figures[index - 1] if index else None
        if before is None and base is None and len(figures) > 1:
            before = figures[1]
        if before is not None:
            count = f["size"] - before["size"]
            earlier = {"catalogue": before["catalogue_total"], "database": before["database_total"]}
        else:
            count = f["size"]
            earlier = base or {"catalogue": 0.0, "database": 0.0}
        f["catalogue_bytes"] = (f["catalogue_total"] - earlier["catalogue"]) / count
        f["database_bytes"] = (f["database_total"] - earlier["database"]) / count
    header = ["", *(f"{f['size']:,} businesses" for f in figures), "target"]
    last = figures[-1]

    def row(label: str, key, fmt, target: str = "") -> list[str]:
        values = [fmt(key(f)) for f in figures]
        return [label, *values, target]

    rows = [
        row("create one business (bench, s)", lambda f: f["create"], "{:.3f}".format),
        row(
            "no-op bootstrap, whole process (s)",
            lambda f: f["bootstrap"],
            "{:.2f}".format,
            f"< {BOOTSTRAP_TARGET:g} s, flat: {verdict(last['bootstrap'] < BOOTSTRAP_TARGET)}",
        ),
        row("  its query for schemas behind (ms)", lambda f: f["query_ms"], "{:.1f}".format),
        row(
            f"one added migration to all, {WORKERS} workers (s)",
            lambda f: f["migrate"],
            "{:.1f}".format,
            f"< {MIGRATE_TARGET:g} s: {verdict(last['migrate'] < MIGRATE_TARGET)}",
        ),
        row(
            "  per business (ms)",
            lambda f: f["migrate"] / f["size"] * 1000,
            "{:.0f}".format,
        ),
        row("disk per business: its relations (MB)", lambda f: f["schema_bytes"], _mb),
        row("  database growth per business (MB)", lambda f: f["database_bytes"], _mb),
        row("  system catalogue per business (MB)", lambda f: f["catalogue_bytes"], _mb),
        row("system catalogue in all (MB)", lambda f: f["catalogue_total"], _mb),
        row(
            "tables / indexes / sequences per schema",
            lambda f: (f["tables"], f["indexes"], f["sequences"]),
            lambda t: f"{t[0]} / {t[1]} / {t[2]}",
        ),
        row("new web process: Django set-up (s)", lambda f: f["first"]["setup"], "{:.2f}".format),
        row("  its first request (ms)", lambda f: f["first"]["first"] * 1000, "{:.0f}".format),
        row(
            "  first request to another business (ms)",
            lambda f: f["first"]["other"] * 1000,
            "{:.0f}".format,
        ),
        row("  the same again, warm (ms)", lambda f: f["first"]["warm"] * 1000, "{:.0f}".format),
        row("pg_dump of one business (s)", lambda f: f["dump"], "{:.2f}".format),
        row("  its size (kB)", lambda f: f["dump_bytes"] / 1000, "{:.0f}".format),
    ]
    notes: list[str] = []
    if len(figures) >= 2:
        small, large = figures[0], figures[-1]
        xs = (small["size"], large["size"])
        n = EXTRAPOLATE_TO

        def at(key) -> float:
            return _line(xs, (key(small), key(large)), n)

        per_schema = large["migrate"] / large["size"]
        disk = large["database_bytes"] * n
        query_ms = at(lambda f: f["query_ms"])
        bootstrap = large["bootstrap"] + (query_ms - large["query_ms"]) / 1000
        lines = [
            f"  extrapolated to {n:,} businesses (same machine, one database; a cost that "
            "grows is taken on the straight line through the two sizes, never below the "
            "larger one):",
            f"    no-op bootstrap: {bootstrap:.2f} s: the process as at {large['size']:,} "
            f"plus the query for schemas behind growing with the businesses ({query_ms:.0f} ms; "
            "it reads the businesses and their states, no schema)",
            f"    one added migration, {WORKERS} workers: {per_schema * n / 60:.1f} min "
            f"({per_schema * 1000:.0f} ms a business as at {large['size']:,}; more cores "
            "divide it, the workers are CPU-bound in Django's migration state)",
            f"    disk: {disk / 1e9:.1f} GB for the empty schemas "
            f"({_mb(large['database_bytes'])} MB a business), of which the system catalogue "
            f"{large['catalogue_bytes'] * n / 1e9:.1f} GB; data comes on top",
            f"    tables + indexes + sequences: "
            f"{(large['tables'] + large['indexes'] + large['sequences']) * n:,} relations "
            "(each a file or more on disk)",
            f"    first request of a new web process: "
            f"{at(lambda f: f['first']['first']) * 1000:.0f} ms, "
            f"{at(lambda f: f['first']['other']) * 1000:.0f} ms for each further business "
            "a connection meets first",
            f"    pg_dump of one business: {at(lambda f: f['dump']):.1f} s (it reads the "
            "catalogue of the whole database)",
        ]
        notes.append("\n".join(lines))
    return Section(
        title=f"Scale: {' then '.join(f'{s:,}' for s in SIZES)} businesses",
        header=header,
        rows=rows,
        notes=notes,
    )
