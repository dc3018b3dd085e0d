"""Make the database ready: migrate every schema and make sure the public site has its host."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from apps.tenants.services import public_tenant_ensure


class Command(BaseCommand):
    help = "Migrate the public schema and every tenant, and register the base domain."

    def handle(self, *args, **options):
        call_command("migrate_schemas", interactive=False, verbosity=0)
        public_tenant_ensure()
        self.stdout.write(f"database ready; public site on {settings.BASE_DOMAIN}")
