"""Migration 0003 keeps only hashes of the staff feed secrets already handed out, and every
feed address in use keeps working."""

import pytest
from django.core.management import call_command
from django.db import connection

from apps.appointments.models import StaffMember
from apps.appointments.selectors.setup import staff_for_calendar_token

SCHEMA = "feed_secrets_before_hashing"
SECRETS = {"Dr. Weber": "kT3-old_secret_AAAAAAAAAAAAAAAAAAAAAAAA", "Dr. Klein": "x" * 32}


@pytest.fixture
def business_before_hashing(db):
    """A business schema migrated up to 0002, with two staff members holding plain secrets
    (one linked to a login, so the rows have a foreign key to check)."""
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{SCHEMA}"')
    call_command(
        "migrate_schemas",
        "appointments",
        "0002",
        schema_name=SCHEMA,
        interactive=False,
        verbosity=0,
    )
    connection.set_schema(SCHEMA)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_user (password, email, name, role, time_zone, is_active, "
            "is_staff, is_superuser, date_joined) VALUES ('!', 'weber@example.test', 'Weber', "
            "'staff', '', true, false, false, now()) RETURNING id"
        )
        (user_id,) = cursor.fetchone()
        for position, (name, secret) in enumerate(SECRETS.items()):
            cursor.execute(
                "INSERT INTO appointments_staffmember (name, title, user_id, color, active, "
                "bookable_online, position, calendar_token) "
                "VALUES (%s, '', %s, '#2563eb', true, true, %s, %s)",
                [name, user_id if position == 0 else None, position, secret],
            )
        # as if written long ago: their foreign-key checks are done, not pending in this test
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    connection.set_schema_to_public()
    yield
    connection.set_schema_to_public()


def test_existing_feed_secrets_are_hashed_and_their_addresses_keep_working(
    business_before_hashing,
):
    call_command("migrate_schemas", schema_name=SCHEMA, interactive=False, verbosity=0)
    connection.set_schema(SCHEMA)
    for name, secret in SECRETS.items():
        assert staff_for_calendar_token(secret) == StaffMember.objects.get(name=name)
    stored = list(StaffMember.objects.values_list("calendar_token_hash", flat=True))
    assert all(len(value) == 64 for value in stored)
    assert not set(stored) & set(SECRETS.values())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = %s "
            "AND table_name = 'appointments_staffmember' AND column_name = 'calendar_token'",
            [SCHEMA],
        )
        assert cursor.fetchone() is None  # the plain secrets are gone
