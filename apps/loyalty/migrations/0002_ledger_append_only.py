"""The ledger is append-only in the database too: an entry's figures (kind, points, balance
after, time, source, key, shortfall) can never be changed; a mistake is put right by a
reversal entry. Moving entries to another account (a merge), clearing the staff's free text
(an erasure) and a deleted staff member's SET NULL stay possible."""

from django.db import migrations

GUARD = """
CREATE OR REPLACE FUNCTION loyalty_ledger_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.kind, NEW.points, NEW.balance_after, NEW.occurred_at, NEW.source,
        NEW.idempotency_key, NEW.shortfall)
       IS NOT DISTINCT FROM
       (OLD.kind, OLD.points, OLD.balance_after, OLD.occurred_at, OLD.source,
        OLD.idempotency_key, OLD.shortfall) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'a loyalty ledger entry is never changed; record a reversal instead'
        USING ERRCODE = 'check_violation';
END
$$;
CREATE TRIGGER loyalty_ledger_append_only BEFORE UPDATE ON loyalty_ledgerentry
FOR EACH ROW EXECUTE FUNCTION loyalty_ledger_append_only();
"""
UNGUARD = """
DROP TRIGGER IF EXISTS loyalty_ledger_append_only ON loyalty_ledgerentry;
DROP FUNCTION IF EXISTS loyalty_ledger_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0001_initial")]

    operations = [migrations.RunSQL(GUARD, UNGUARD)]
