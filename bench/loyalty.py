"""Loyalty's nightly run at scale: 100,000 members holding 1,000,000 point lots, half of
them due to expire, and one member in ten in a tier the nightly run re-checks.

Measures the expiry (set-based SQL: the due lots drop to zero, one expire entry and one
timeline event per member, the balances move with them; target under 60 s together with
the tier run) and the nightly tier evaluation, then checks the books still balance (balance
= ledger sum = lots' remaining for every member, one SQL query).

Measured on the shared 2-core machine (under load from other work): the expiry about 30 s,
in chunks of 10,000 members (each one transaction: the lots, entries and balances in one
statement, the members' timeline events in one INSERT ... SELECT through the CRM's
`events_record_many`); the tier run about 1 s. Before, the events went through
`events_ingest` in batches of 1,000 and took about 150 s on their own.

The members, lots and ledger are generated with set-based SQL in the CRM bench business
(bench/contacts.py) and made afresh on every run, since the run changes them.
"""

from __future__ import annotations

import time

from bench.common import Section, insert_select, verdict

MEMBERS = 100_000
LOTS_PER_MEMBER = 10
TIERED_EVERY = 10  # one member in ten holds a tier
TARGET = 60.0
SMOKE = {"MEMBERS": 200}


def _generate(schema: str, members: int) -> None:
    """Members (one per bench contact), 10 lots each (the first five past their expiry) and
    the earn entry behind every lot."""
    from django.db import connection, transaction

    from apps.loyalty.models import LedgerEntry, Member, PointLot, Program, Tier

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'TRUNCATE "{schema}".loyalty_member CASCADE')
        cursor.execute(f'TRUNCATE "{schema}".loyalty_tier CASCADE')
        cursor.execute(f'TRUNCATE "{schema}".loyalty_program RESTART IDENTITY CASCADE')
        cursor.execute(insert_select(Program, schema, {"tiers_enabled": "true"}))
        cursor.execute(insert_select(Tier, schema, {"name": "'Silver'", "threshold": "500"}))
        cursor.execute(
            insert_select(
                Member,
                schema,
                {
                    "contact_id": "c.id",
                    "balance": str(100 * LOTS_PER_MEMBER),
                    "member_since": "now() - interval '400 days'",
                    "referral_code": "'B' || c.id",
                    "tier_id": (
                        f"CASE WHEN c.id %% {TIERED_EVERY} = 0 THEN"
                        f' (SELECT id FROM "{schema}".loyalty_tier LIMIT 1) END'
                    ),
                },
            )
            + f'FROM (SELECT id FROM "{schema}".contacts_contact ORDER BY id LIMIT %s) AS c',
            [members],
        )
        cursor.execute(
            insert_select(
                LedgerEntry,
                schema,
                {
                    "member_id": "m.id",
                    "kind": "'earn'",
                    "points": "100",
                    "balance_after": "100 * k",
                    "occurred_at": "now() - (interval '1 day' * (400 - k))",
                    "source": "'staff'",
                },
            )
            + f'FROM "{schema}".loyalty_member AS m'
            f" CROSS JOIN generate_series(1, {LOTS_PER_MEMBER}) AS k"
        )
        cursor.execute(
            insert_select(
                PointLot,
                schema,
                {
                    "member_id": "e.member_id",
                    "entry_id": "e.id",
                    "amount": "100",
                    "remaining": "100",
                    "earned_at": "e.occurred_at",
                    "expires_at": (
                        "CASE WHEN e.balance_after <= 500 THEN now() - interval '1 day'"
                        " ELSE now() + interval '30 days' END"
                    ),
                    "source": "'staff'",
                },
            )
            + f'FROM "{schema}".loyalty_ledgerentry AS e'
        )
        cursor.execute(f'ANALYZE "{schema}".loyalty_pointlot')
        cursor.execute(f'ANALYZE "{schema}".loyalty_ledgerentry')


def _books_balance(schema: str) -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT count(*) FROM "{schema}".loyalty_member AS m
            WHERE m.balance <> (SELECT coalesce(sum(points), 0)
                                FROM "{schema}".loyalty_ledgerentry WHERE member_id = m.id)
               OR m.balance <> (SELECT coalesce(sum(remaining), 0)
                                FROM "{schema}".loyalty_pointlot WHERE member_id = m.id)
               OR m.balance < 0"""
        )
        return cursor.fetchone()[0] == 0


def run() -> Section:
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from bench.contacts import _generate as contacts_generate
    from bench.contacts import _tenant

    tenant = _tenant()
    contacts_generate(tenant.schema_name)
    with tenant_context(tenant):
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT count(*) FROM "{tenant.schema_name}".contacts_contact')
            members = min(MEMBERS, cursor.fetchone()[0])
        started = time.perf_counter()
        _generate(tenant.schema_name, members)
        generated = time.perf_counter() - started

        from apps.contacts.models import TimelineEvent
        from apps.loyalty.services.ledger import points_expire_due
        from apps.loyalty.services.tiers import tiers_evaluate_all

        now = timezone.now()
        started = time.perf_counter()
        expired = points_expire_due(at=now)
        expiry_seconds = time.perf_counter() - started
        started = time.perf_counter()
        tiers_evaluate_all(at=now)
        tier_seconds = time.perf_counter() - started
        balanced = _books_balance(tenant.schema_name)
        TimelineEvent.objects.filter(type__startswith="loyalty.")._raw_delete(connection.alias)
    total = expiry_seconds + tier_seconds
    section = Section(
        title=(
            f"7. Loyalty: the nightly run over {members:,} members and"
            f" {members * LOTS_PER_MEMBER:,} lots"
        ),
        header=["measure", "figure", "target", ""],
    )
    section.rows.append(
        [f"expiry ({expired:,} members lose points)", f"{expiry_seconds:.1f} s", "", ""]
    )
    section.rows.append(
        [
            f"tier evaluation ({members // TIERED_EVERY:,} members in a tier)",
            f"{tier_seconds:.1f} s",
            "",
            "",
        ]
    )
    section.rows.append(
        ["nightly run together", f"{total:.1f} s", f"< {TARGET:.0f} s", verdict(total < TARGET)]
    )
    section.rows.append(
        [
            "books balance afterwards (every member)",
            "yes" if balanced else "NO",
            "yes",
            verdict(balanced),
        ]
    )
    section.notes.append(
        f"  data generated in {generated:.1f} s (set-based SQL); expiry in chunks of 10,000"
        " members, each one transaction:\n  the members locked in id order, the due lots, one"
        " entry and one balance update per member in one\n  statement, one timeline event per"
        " member in one INSERT ... SELECT"
    )
    return section
