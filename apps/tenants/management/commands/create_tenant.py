"""Create a business from the command line (same rules as the sign-up form)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.tenants.services import tenant_create, tenant_url


class Command(BaseCommand):
    help = "Provision a business: schema, domain and owner account."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True, help="sub-domain, e.g. bright-smile")
        parser.add_argument("--owner-email", required=True)
        parser.add_argument("--owner-name", required=True)
        parser.add_argument("--owner-password", required=True)
        parser.add_argument("--time-zone", default="America/New_York")
        parser.add_argument("--country", default="US")
        parser.add_argument("--language", default="en")

    def handle(self, *args, **o):
        try:
            tenant = tenant_create(
                name=o["name"],
                slug=o["slug"],
                owner_name=o["owner_name"],
                owner_email=o["owner_email"],
                owner_password=o["owner_password"],
                time_zone=o["time_zone"],
                country=o["country"],
                language=o["language"],
            )
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            ) from exc
        self.stdout.write(f"created {tenant.name} at {tenant_url(tenant)}")
