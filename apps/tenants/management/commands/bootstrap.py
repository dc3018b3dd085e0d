"""Make the database ready: migrate what is behind and make sure the public site has its host.

A deploy that changes no migration costs two small queries per database: the public schema's
state and the schemas behind (`services/schema_migrations.py`), whatever the number of
businesses. Otherwise the public schema is migrated, then the business schemas behind, in
parallel (`migrate_businesses` does the same on its own, and continues a failed run).
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_public_schema_name

from apps.tenants.databases import HOME, database_aliases, database_use
from apps.tenants.services import public_tenant_ensure
from apps.tenants.services.schema_migrations import (
    public_behind,
    schema_state_record,
    schemas_behind,
)
from apps.tenants.services.schema_template import migrations_fingerprint

from .migrate_businesses import default_workers, migrate_behind


class Command(BaseCommand):
    help = "Migrate the public schema and every business behind, and register the base domain."
    # Django's system checks (a third of a no-op run: they import every URL module) run
    # before anything is migrated, not on a deploy that changes no migration.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=default_workers())

    def handle(self, *args, **options):
        fingerprint = migrations_fingerprint()
        behind = [alias for alias in database_aliases() if self._behind(alias, fingerprint)]
        if behind:
            self.check()
        for alias in behind:
            with database_use(alias):
                if public_behind(fingerprint=fingerprint):
                    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
                    schema_state_record(
                        schema_name=get_public_schema_name(), fingerprint=fingerprint
                    )
        failed = migrate_behind(self, workers=max(1, options["workers"]), aliases=behind)
        with database_use(HOME):
            public_tenant_ensure()
        if failed:
            raise CommandError(
                f"{len(failed)} schemas failed to migrate ({', '.join(failed[:10])}); "
                "run `manage.py migrate_businesses` once the cause is fixed"
            )
        self.stdout.write(f"database ready; public site on {settings.BASE_DOMAIN}")

    @staticmethod
    def _behind(alias: str, fingerprint: str) -> bool:
        with database_use(alias):
            return public_behind(fingerprint=fingerprint) or bool(schemas_behind())
