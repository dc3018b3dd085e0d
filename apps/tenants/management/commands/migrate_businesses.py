"""Migrate the businesses' schemas that are behind, in parallel, with progress; run it again
to continue after a failure or an interruption (see `services/schema_migrations.py`)."""

from __future__ import annotations

import os
import time

from django.core.management.base import BaseCommand, CommandError

from apps.tenants.databases import database_aliases, database_use
from apps.tenants.services.schema_migrations import MigrationRun, schemas_behind, schemas_migrate


def default_workers() -> int:
    return int(os.environ.get("MIGRATION_WORKERS") or min(4, (os.cpu_count() or 1) * 2))


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


class Progress:
    """Prints where a run stands at most once a second, at the end, and each failure."""

    def __init__(self, command: BaseCommand, label: str):
        self.command, self.label, self.printed = command, label, 0.0

    def __call__(self, run: MigrationRun) -> None:
        last = run.results[-1]
        if not last.ok:
            self.command.stderr.write(f"  {last.schema_name} failed: {last.error[:500]}")
        now = time.monotonic()
        if run.remaining and now - self.printed < 1:
            return
        self.printed = now
        eta = "" if run.eta is None or not run.remaining else f", {_duration(run.eta)} left"
        self.command.stdout.write(
            f"  {self.label}: {run.done} done, {len(run.failed)} failed, {run.remaining} "
            f"remaining, {run.rate:.1f} schemas/s{eta}"
        )


def migrate_behind(
    command: BaseCommand, *, workers: int, aliases: list[str], only: list[str] | None = None
) -> list[str]:
    """Migrate what is behind on each database; the schemas that failed."""
    failed: list[str] = []
    for alias in aliases:
        with database_use(alias):
            behind = schemas_behind(only=only)
            if not behind:
                continue
            command.stdout.write(f"{alias}: {len(behind)} schemas behind, {workers} workers")
            run = schemas_migrate(behind, workers=workers, progress=Progress(command, alias))
            failed += [f"{alias}:{result.schema_name}" for result in run.failed]
            command.stdout.write(
                f"{alias}: {run.done} migrated, {len(run.failed)} failed "
                f"in {_duration(run.elapsed)}"
            )
    return failed


class Command(BaseCommand):
    help = (
        "Migrate every business schema whose migrations are behind the code, with several "
        "workers; run again to retry the failed ones and finish the rest."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=default_workers())
        parser.add_argument(
            "--database", action="append", help="only this database alias (repeatable)"
        )
        parser.add_argument(
            "--schema", action="append", help="only this schema, if behind (repeatable)"
        )

    def handle(self, *args, **options):
        aliases = options["database"] or database_aliases()
        unknown = set(aliases) - set(database_aliases())
        if unknown:
            raise CommandError(f"no database {', '.join(sorted(unknown))} in DATABASES")
        failed = migrate_behind(
            self, workers=max(1, options["workers"]), aliases=aliases, only=options["schema"]
        )
        if failed:
            raise CommandError(
                f"{len(failed)} schemas failed ({', '.join(failed[:10])}); their errors are in "
                "SchemaState; fix the cause and run this command again"
            )
        self.stdout.write("every schema is up to date")
