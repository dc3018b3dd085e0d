"""Dump one business (its schema and what the public schema knows of it) to a file."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.tenants.services.backup import BackupError, business_dump


class Command(BaseCommand):
    help = "Dump one business to a file (plain SQL; a name ending in .gz is compressed)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("path", help="the file to write")

    def handle(self, *args, **options):
        try:
            details = business_dump(slug=options["slug"], path=options["path"])
        except (ValidationError, BackupError) as exc:
            raise CommandError("; ".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stdout.write(
            f"dumped {details['slug']} (schema {details['schema_name']}, database "
            f"{details['database']}) to {options['path']}"
        )
