"""A business dumped and restored under a new slug has every row, sequence and detail of the
original; restoring over a taken slug is refused without a trace."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.contacts.models import Contact
from apps.tenants.models import SchemaState, Tenant, TenantWakeup
from apps.tenants.services import tenant_create, tenant_update_profile
from apps.tenants.services.backup import business_restore, dump_details
from tests.helpers.histories import customer_with_history, practice_create
from tests.helpers.pg_dump import pg_dump_schema

SOURCE, COPY = "dump-source", "dump-copy"


def _cleanup() -> None:
    connection.set_schema_to_public()
    for tenant in Tenant.objects.filter(slug__in=[SOURCE, COPY]):
        tenant.delete(force_drop=True)
    SchemaState.objects.filter(schema_name__in=["dump_source", "dump_copy"]).delete()


@pytest.fixture
def source(django_db_setup, django_db_blocker, pg_dump_available):
    """A business with a customer who has rows in every module (committed)."""
    with django_db_blocker.unblock():
        _cleanup()
        tenant = tenant_create(
            name="Dump Source",
            slug=SOURCE,
            owner_name="Source Owner",
            owner_email="owner@dump-source.test",
            owner_password="dump-pass-2026-x",
            time_zone="Europe/Berlin",
            country="DE",
        )
        tenant = tenant_update_profile(
            tenant=tenant,
            name="Dump Source",
            country="DE",
            time_zone="Europe/Berlin",
            language="de",
            brand_color="#7c3aed",
            phone="+49 30 1234567",
            opening_note="Late on Thursdays",
        )
        with schema_context(tenant.schema_name):
            owner = User.objects.get(email="owner@dump-source.test")
            customer_with_history(
                practice=practice_create(),
                actor=owner,
                first_name="Ida",
                last_name="Brandt",
                email="ida.brandt@example.test",
                phone="0151 22334455",
                secret="Walnut",
            )
        try:
            yield tenant
        finally:
            _cleanup()


@pytest.fixture
def pg_dump_available():
    from tests.helpers.pg_dump import pg_dump_binary

    pg_dump_binary()  # skips (fails under CI) without a usable pg_dump


def _rows(schema: str) -> str:
    """Every row and sequence value of the schema, with the schema's name taken out."""
    dump = pg_dump_schema(schema)
    dump = re.sub(r"^\\(un)?restrict .*$", "", dump, flags=re.M)
    return dump.replace(f"{schema}.", "<schema>.").replace(f"Schema: {schema};", "")


def test_dump_and_restore_under_a_new_slug_keeps_every_row(source, django_db_blocker, tmp_path):
    path = tmp_path / "source.sql.gz"
    with django_db_blocker.unblock():
        call_command("business_dump", SOURCE, str(path))
        details = dump_details(path)
        assert details["schema_name"] == "dump_source"
        call_command("business_restore", str(path), slug=COPY)

        copy = Tenant.objects.get(slug=COPY)
        assert copy.schema_name == "dump_copy"
        assert copy.domains.get().domain == "dump-copy.localhost"
        for field in ("name", "country", "time_zone", "language", "brand_color", "phone"):
            assert getattr(copy, field) == getattr(source, field), field
        assert copy.opening_note == "Late on Thursdays"
        original, restored = _rows("dump_source"), _rows("dump_copy")
        assert original.count("COPY <schema>.") >= 40  # every table of every module
        assert "Brandt" in restored and "Walnut" in restored
        assert restored == original
        state = SchemaState.objects.get(schema_name="dump_copy")
        assert (state.status, state.fingerprint) == ("ok", details["fingerprint"])
        # due work restored with it is picked up: the copy is woken at once
        assert TenantWakeup.objects.get(tenant=copy).next_due_at is not None

        # the copy serves its own host, with its own rows
        client = Client(HTTP_HOST="dump-copy.localhost")
        with schema_context("dump_copy"):
            owner = User.objects.get(email="owner@dump-source.test")
            client.force_login(owner)
            contact = Contact.objects.get(last_name="Brandt")
        response = client.get(f"/contacts/{contact.pk}/")
        assert response.status_code == 200
        assert "Brandt" in response.content.decode()
        connection.set_schema_to_public()


def test_restore_over_a_taken_slug_is_refused_and_creates_nothing(
    source, django_db_blocker, tmp_path
):
    path = tmp_path / "source.sql"
    with django_db_blocker.unblock():
        call_command("business_dump", SOURCE, str(path))
        with pytest.raises(ValidationError) as refused:
            business_restore(path=path)
        assert "slug" in refused.value.message_dict
        with pytest.raises(ValidationError) as unknown:
            business_restore(path=path, slug=COPY, database="elsewhere")
        assert "database" in unknown.value.message_dict
        assert not Tenant.objects.filter(slug=COPY).exists()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = 'dump_copy'")
            assert cursor.fetchone() is None
