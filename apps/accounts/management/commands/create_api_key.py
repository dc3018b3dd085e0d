"""Create an API key for a business and print it once."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from apps.accounts.services import api_key_create
from apps.tenants.models import Tenant


class Command(BaseCommand):
    help = "Create an API key; the key is printed once and stored only as a hash."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="the business's sub-domain")
        parser.add_argument("--name", required=True)
        parser.add_argument("--scopes", default="read", help="comma-separated: read,write")

    def handle(self, *args, **o):
        tenant = Tenant.objects.filter(slug=o["tenant"]).first()
        if tenant is None:
            raise CommandError(f"tenant: no business with sub-domain {o['tenant']!r}")
        scopes = [s.strip() for s in o["scopes"].split(",") if s.strip()]
        with schema_context(tenant.schema_name):
            try:
                _key, raw = api_key_create(name=o["name"], scopes=scopes, created_by=None)
            except ValidationError as exc:
                raise CommandError(
                    "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
                ) from exc
        self.stdout.write(raw)
