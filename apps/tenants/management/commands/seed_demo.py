"""Create the demo business "Bright Smile Dental" once, then let each app add its demo data.

An app contributes by defining `demo_seed(*, tenant, rng)` in `apps/<app>/demo.py`; it runs
inside the demo tenant's schema, in the order of TENANT_APPS.
"""

import random
from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django_tenants.utils import schema_context

from apps.tenants.models import Tenant
from apps.tenants.services import public_tenant_ensure, tenant_create, tenant_url
from cxsuite.demo import DEMO


class Command(BaseCommand):
    help = "Create the demo business with realistic data (does nothing if it exists)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-login", action="store_true", help="print nothing")

    def handle(self, *args, **options):
        public_tenant_ensure()
        tenant = Tenant.objects.filter(slug=DEMO["slug"]).first()
        if tenant is None:
            tenant = tenant_create(**DEMO)
            rng = random.Random(2026)
            with schema_context(tenant.schema_name):
                for app in settings.TENANT_APPS:
                    try:
                        module = import_module(f"{app}.demo")
                    except ModuleNotFoundError:
                        continue
                    with transaction.atomic():
                        module.demo_seed(tenant=tenant, rng=rng)
            created = "created"
        else:
            created = "already there"
        if not options["quiet_login"]:
            self.stdout.write(
                f"{DEMO['name']} {created}: {tenant_url(tenant, '/login/')}\n"
                f"  login: {DEMO['owner_email']}  password: {DEMO['owner_password']}"
            )
