"""Create a business from a dump `business_dump` wrote, under its slug or a new one."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.tenants.databases import HOME
from apps.tenants.services.backup import BackupError, business_restore


class Command(BaseCommand):
    help = "Restore a business from a dump, under its own slug or --slug, on --database."

    def add_arguments(self, parser):
        parser.add_argument("path", help="a file business_dump wrote")
        parser.add_argument("--slug", help="a new sub-domain (default: the dumped one)")
        parser.add_argument("--database", default=HOME, help="a database alias")

    def handle(self, *args, **options):
        try:
            tenant = business_restore(
                path=options["path"], slug=options["slug"], database=options["database"]
            )
        except (ValidationError, BackupError, OSError) as exc:
            raise CommandError("; ".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stdout.write(
            f"restored {tenant.slug} (schema {tenant.schema_name}) on {options['database']}"
        )
