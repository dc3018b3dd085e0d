"""Move a business to another database: dump, restore there, switch its routing row, drop the
old schema. Run it while the business is quiet: writes made during the move are lost."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.tenants.databases import tenant_database
from apps.tenants.services.backup import BackupError, business_move


class Command(BaseCommand):
    help = "Move a business's schema to another database of DATABASES."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("database", help="the database alias to move it to")

    def handle(self, *args, **options):
        try:
            tenant = business_move(slug=options["slug"], database=options["database"])
        except (ValidationError, BackupError) as exc:
            raise CommandError("; ".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stdout.write(f"{tenant.slug} now lives on {tenant_database(tenant)}")
