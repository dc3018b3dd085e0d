"""Earning points into a new lot, in a fixed handful of statements whatever the member's
history: the API's earn is the hottest write of the program.

One earn is: lock the member (with their contact and tier) and read the program, in one
statement; then one statement that reads what the earn depends on (has this key earned
already, how many earns in the last 24 hours and whether that was flagged today, the tier
window's points and the tier they reach) and, unless the key has earned already, moves the
balance and writes the ledger entry and its lot together; and the timeline event. The
balance, the ledger sum and the lots' remaining move in that one statement, under the
member's lock, so they stay equal; the database's CHECKs keep every one of them at zero or
above. The lock statement is built once per process and its row made into model instances
directly: compiled through the ORM on every earn it was the largest single cost of an earn
through the API.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cxsuite.lib.analytics import rows_written_send

from ..models import (
    ActivityFlag,
    EntryKind,
    FlagKind,
    LedgerEntry,
    Member,
    PointLot,
    Program,
    Tier,
    TierBasis,
)
from .common import add_months, business_zone, expiry_for, loyalty_event, now_or, program_get

if TYPE_CHECKING:
    from apps.accounts.models import ApiKey, User

    from ..models import EarnRule

MANY_EARNS_A_DAY = 5
PROGRAM_PK = 1  # the business's one program row (program_get)


# --- statements prepared once per database session ------------------------------------------
# The two statements of every earn cost PostgreSQL more to plan than to run; prepared once per
# session (named after their text, so a session a pooler hands over with an older version's
# statements does not mix them up) they are only run. A change of search_path (another
# business) makes PostgreSQL plan them again by itself.
_PARAM = re.compile(r"%\((\w+)\)s")
_sessions: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class _Prepared:
    name: str
    prepare: str  # PREPARE name (types) AS ...
    order: tuple[str, ...]  # the parameters' names in $1, $2... order


def _prepared(prefix: str, sql: str, types: dict[str, str]) -> _Prepared:
    order = tuple(dict.fromkeys(_PARAM.findall(sql)))
    positional = _PARAM.sub(lambda found: f"${order.index(found[1]) + 1}", sql)
    name = f"{prefix}_{hashlib.sha1(positional.encode()).hexdigest()[:12]}"
    declared = ", ".join(types[parameter] for parameter in order)
    return _Prepared(name, f"PREPARE {name} ({declared}) AS {positional}", order)


def _execute(cursor, statement: _Prepared, values: dict[str, Any]) -> None:
    prepared = _sessions.setdefault(connection.connection, set())
    if statement.name not in prepared:
        cursor.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %s", [statement.name])
        if cursor.fetchone() is None:
            cursor.execute(statement.prepare)
        prepared.add(statement.name)
    holders = ", ".join(["%s"] * len(statement.order))
    cursor.execute(f"EXECUTE {statement.name} ({holders})", [values[n] for n in statement.order])


@dataclass(frozen=True)
class _LockQuery:
    """The member lock with the program: the SQL, and the fields each model's columns fill
    in the order they come back."""

    statement: _Prepared
    parts: tuple[tuple[type[models.Model], tuple[Any, ...]], ...]  # (model, its fields)


_lock_query: _LockQuery | None = None


def _lock_query_get() -> _LockQuery:
    """Built on first use (the tables are the models'; the schema is the connection's)."""
    global _lock_query
    if _lock_query is None:
        contact_model = cast("type[models.Model]", Member._meta.get_field("contact").related_model)
        quote = connection.ops.quote_name
        models_read: tuple[type[models.Model], ...] = (Member, contact_model, Tier, Program)
        parts = tuple(
            (model, tuple(f for f in model._meta.concrete_fields if not f.generated))
            for model in models_read
        )
        columns = ", ".join(
            f"{alias}.{quote(field.column)}"
            for alias, (_model, fields) in zip("mctp", parts, strict=True)
            for field in fields
        )
        sql = f"""
            SELECT {columns}
            FROM {quote(Member._meta.db_table)} AS m
            JOIN {quote(contact_model._meta.db_table)} AS c ON c.id = m.contact_id
            LEFT JOIN {quote(Tier._meta.db_table)} AS t ON t.id = m.tier_id
            LEFT JOIN {quote(Program._meta.db_table)} AS p ON p.id = %(program)s
            WHERE m.id = %(member)s
            FOR UPDATE OF m, c
        """
        statement = _prepared("loyalty_lock", sql, {"program": "bigint", "member": "bigint"})
        _lock_query = _LockQuery(statement, parts)
    return _lock_query


def _instance(model: type[models.Model], fields: tuple[Any, ...], values: list) -> Any:
    """A model instance from its columns as the cursor gave them (a field that converts what
    the database returns, a JSON field say, converts them here as the ORM would); the
    fields not read (a generated column) are deferred."""
    converted = []
    for field, value in zip(fields, values, strict=True):
        for converter in field.get_db_converters(connection):
            value = converter(value, field, connection)
        converted.append(value)
    return model.from_db(connection.alias, [f.attname for f in fields], converted)


def member_lock_for_earn(member_id: int) -> tuple[Member | None, Program | None]:
    """The member's row and their contact's locked (as `member_lock` takes them), with the
    tier and the program read in the same statement: (None, None) when there is no such
    member; the program is None while the business has none yet."""
    query = _lock_query_get()
    with connection.cursor() as cursor:
        _execute(cursor, query.statement, {"program": PROGRAM_PK, "member": member_id})
        row = cursor.fetchone()
    if row is None:
        return None, None
    built = []
    start = 0
    for model, fields in query.parts:
        values = list(row[start : start + len(fields)])
        start += len(fields)
        built.append(None if values[0] is None else _instance(model, fields, values))
    member, contact, tier, program = built
    assert isinstance(member, Member) and contact is not None
    member.contact = contact  # never None: the contact is joined, not outer-joined
    member.tier = tier
    return member, program


@dataclass(frozen=True)
class EarnChecks:
    done_id: int | None  # the entry this idempotency key already earned
    earns_last_day: int  # earn entries of the member in the 24 hours before `at`
    flagged_today: bool  # the member's many-earns flag of the (local) day exists already
    tier_basis: int | None  # points earned in the tier window before this earn (None: not read)
    target_tier_id: int | None  # the tier the window reaches with this earn
    target_threshold: int | None


# Reads what the earn decides on and, unless the key has earned already, writes it: the
# reads see the ledger as it was before this earn (one snapshot for the whole statement),
# taken after the member's lock, so an earn of the same key that committed meanwhile is seen.
_EARN_SQL = """
WITH c AS MATERIALIZED (
    SELECT
        (SELECT id FROM {entries} WHERE idempotency_key = %(key)s) AS done_id,
        (SELECT count(*) FROM {entries}
         WHERE member_id = %(member)s AND kind = 'earn' AND occurred_at > %(day_ago)s
        ) AS earns,
        EXISTS (SELECT 1 FROM {flags}
                WHERE member_id = %(member)s AND kind = %(flag_kind)s AND day = %(day)s
        ) AS flagged,
        {basis} AS basis
), t AS (
    SELECT tier.id, tier.threshold FROM {tiers} AS tier, c
    WHERE c.basis IS NOT NULL AND tier.threshold <= c.basis + %(points)s
    ORDER BY tier.threshold DESC LIMIT 1
), m AS (
    UPDATE {members} SET balance = balance + %(points)s, updated = %(now)s
    WHERE id = %(member)s AND (SELECT done_id FROM c) IS NULL
    RETURNING id, balance
), e AS (
    INSERT INTO {entries} (
        member_id, kind, points, balance_after, occurred_at, source, transaction_id,
        appointment_id, event_id, rule_id, staff_id, api_key_id, voucher_id, reverses_id,
        import_batch_id, reason, shortfall, idempotency_key, created
    )
    SELECT m.id, 'earn', %(points)s, m.balance, %(at)s, %(source)s, %(transaction_id)s,
           %(appointment_id)s, %(event_id)s, %(rule_id)s, %(staff_id)s, %(api_key_id)s,
           NULL, NULL, %(import_batch_id)s, %(reason)s, 0, %(key)s, %(now)s
    FROM m
    RETURNING id, balance_after
), l AS (
    INSERT INTO {lots} (
        member_id, amount, remaining, earned_at, pending_until, expires_at, source, entry_id,
        program_version, reminded_at
    )
    SELECT %(member)s, %(points)s, %(points)s, %(at)s, %(pending_until)s, %(expires_at)s,
           %(lot_source)s, e.id, %(version)s, NULL
    FROM e
)
SELECT c.done_id, c.earns, c.flagged, c.basis, t.id, t.threshold, e.id, e.balance_after
FROM c LEFT JOIN t ON true LEFT JOIN e ON true
"""

# what member_tier_basis counts: earns, less reversals of earns, over the window
_BASIS_SQL = """(SELECT coalesce(sum(e.points), 0) FROM {entries} AS e
    LEFT JOIN {entries} AS r ON r.id = e.reverses_id
    WHERE e.member_id = %(member)s
      AND e.occurred_at > %(since)s AND e.occurred_at <= %(at)s
      AND (e.kind = 'earn' OR (e.kind = 'reverse' AND r.kind = 'earn')))"""


_EARN_TYPES = {
    **dict.fromkeys(
        ["member", "transaction_id", "appointment_id", "event_id", "rule_id", "staff_id"], "bigint"
    ),
    **dict.fromkeys(["api_key_id", "import_batch_id"], "bigint"),
    **dict.fromkeys(["points", "version"], "integer"),
    **dict.fromkeys(
        ["now", "at", "day_ago", "pending_until", "expires_at", "since"], "timestamptz"
    ),
    **dict.fromkeys(["flag_kind", "source", "reason", "key", "lot_source"], "text"),
    "day": "date",
}


@functools.cache
def _earn_statement(*, tiers: bool) -> _Prepared:
    return _prepared("loyalty_earn", _earn_sql(tiers=tiers), _EARN_TYPES)


def _earn_sql(*, tiers: bool) -> str:
    entries = LedgerEntry._meta.db_table
    return _EARN_SQL.format(
        entries=entries,
        flags=ActivityFlag._meta.db_table,
        tiers=Tier._meta.db_table,
        members=Member._meta.db_table,
        lots=PointLot._meta.db_table,
        basis=_BASIS_SQL.format(entries=entries) if tiers else "NULL::integer",
    )


def points_earn(
    *,
    member: Member | None = None,
    member_id: int | None = None,
    points: int,
    source: str,
    idempotency_key: str,
    at: dt.datetime | None = None,
    pending_days: int = 0,
    transaction_id: int | None = None,
    appointment_id: int | None = None,
    event_id: int | None = None,
    rule: EarnRule | None = None,
    staff: User | None = None,
    api_key: ApiKey | None = None,
    reason: str = "",
    lot_source: str = "",
    import_batch_id: int | None = None,
    program: Program | None = None,
) -> LedgerEntry:
    """Add points as a new lot, once per idempotency key (a retry returns the first entry).

    The lot is pending for `pending_days` (the return window) and expires the program's
    `expiry_months` after it was earned, fixed now: a later change of the expiry does not
    move it. Give `member_id` to lock a member not read yet (an unknown id raises
    `Member.DoesNotExist`); `program` when the caller has read it already.
    """
    if not idempotency_key:
        raise ValidationError({"idempotency_key": _("Give every earn an idempotency key.")})
    if points <= 0:
        raise ValidationError({"points": _("Earn at least one point.")})
    if member_id is None:
        assert member is not None
        member_id = member.pk
    at = now_or(at)
    key = idempotency_key[:120]
    # No savepoint of its own inside a caller's transaction (two statements fewer per earn):
    # the refusals below are raised once the block is left, so they never spoil the caller's
    # transaction; a database error inside does, as it would the caller's own statements.
    with transaction.atomic(savepoint=False):
        locked, program_read = member_lock_for_earn(member_id)
        program = program or program_read or program_get()
        entry = (
            None
            if locked is None or locked.contact.erased_at is not None
            else _earn_locked(
                locked,
                program,
                points=points,
                source=source,
                key=key,
                at=at,
                pending_days=pending_days,
                transaction_id=transaction_id,
                appointment_id=appointment_id,
                event_id=event_id,
                rule=rule,
                staff=staff,
                api_key=api_key,
                reason=reason,
                lot_source=lot_source,
                import_batch_id=import_batch_id,
            )
        )
    if locked is None:
        raise Member.DoesNotExist(f"no member {member_id}")
    if entry is None:
        raise ValidationError({"member": _("This member's contact has been erased.")})
    if member is not None:
        member.balance = entry.member.balance
    return entry


def _earn_locked(
    locked: Member,
    program: Program,
    *,
    points: int,
    source: str,
    key: str,
    at: dt.datetime,
    pending_days: int,
    transaction_id: int | None,
    appointment_id: int | None,
    event_id: int | None,
    rule: EarnRule | None,
    staff: User | None,
    api_key: ApiKey | None,
    reason: str,
    lot_source: str,
    import_batch_id: int | None,
) -> LedgerEntry:
    """The earn for the locked member: a replay of the key's entry, or a new entry and lot."""
    tiers = program.tiers_enabled and program.tier_basis == TierBasis.POINTS
    day = at.astimezone(business_zone()).date()
    stamp = timezone.now()
    values: dict[str, Any] = {
        "member": locked.pk,
        "points": points,
        "now": stamp,
        "at": at,
        "day_ago": at - dt.timedelta(hours=24),
        "day": day,
        "flag_kind": FlagKind.MANY_EARNS.value,
        "source": source,
        "transaction_id": transaction_id,
        "appointment_id": appointment_id,
        "event_id": event_id,
        "rule_id": rule.pk if rule is not None else None,
        "staff_id": staff.pk if staff is not None else None,
        "api_key_id": api_key.pk if api_key is not None else None,
        "import_batch_id": import_batch_id,
        "reason": reason[:300],
        "key": key,
        "pending_until": at + dt.timedelta(days=pending_days) if pending_days else None,
        "expires_at": expiry_for(at, program.expiry_months),
        "lot_source": lot_source or source,
        "version": program.version,
    }
    if tiers:
        values["since"] = add_months(at, -program.tier_window_months)
    with connection.cursor() as cursor:
        _execute(cursor, _earn_statement(tiers=tiers), values)
        done_id, earns, flagged, basis, tier_id, threshold, entry_id, balance = cursor.fetchone()
    if done_id is not None:
        return LedgerEntry.objects.get(pk=done_id)
    checks = EarnChecks(done_id, earns, flagged, basis, tier_id, threshold)
    locked.balance = balance
    locked.updated = stamp
    entry = LedgerEntry(
        pk=entry_id,
        member=locked,
        kind=EntryKind.EARN,
        points=points,
        balance_after=balance,
        occurred_at=at,
        source=source,
        transaction_id=transaction_id,
        appointment_id=appointment_id,
        event_id=event_id,
        rule=rule,
        staff=staff,
        api_key=api_key,
        import_batch_id=import_batch_id,
        reason=reason[:300],
        idempotency_key=key,
        created=stamp,
    )
    entry._state.adding = False
    entry._state.db = "default"
    rows_written_send(LedgerEntry)  # written by hand: the program's figures are dropped
    loyalty_event(
        member=locked,
        type="loyalty.points_earned",
        properties={
            "entry_id": entry.pk,
            "points": points,
            "balance": balance,
            "source": source,
            "reason": entry.reason,
        },
        at=at,
        actor=staff,
    )
    if checks.earns_last_day + 1 > MANY_EARNS_A_DAY and not checks.flagged_today:
        _flag_many_earns(locked, checks.earns_last_day + 1, at, day)
    _tier_after_earn(locked, program, checks, at=at)
    return entry


def _flag_many_earns(member: Member, count: int, at: dt.datetime, day: dt.date) -> None:
    """Flag a member who earned many times in one (local) day for the owner to look at."""
    ActivityFlag.objects.get_or_create(
        member=member,
        kind=FlagKind.MANY_EARNS,
        day=day,
        defaults={"detail": f"{count} earns in 24 hours", "created": at},
    )


def _tier_after_earn(member: Member, program: Program, checks: EarnChecks, *, at: dt.datetime):
    """Upgrades are given at once: with the window's points read with the checks, a member
    who stays where they are costs nothing more; anything else goes through the full
    evaluation (which reads the window again)."""
    if not program.tiers_enabled:
        return
    from .tiers import member_tier_evaluate

    if checks.tier_basis is None:  # measured on spend: the full evaluation reads it
        member_tier_evaluate(member=member, at=at, program=program)
        return
    if checks.target_tier_id == member.tier_id and member.tier_keep_until is None:
        return  # where they were, and not in a grace period
    below = member.tier is not None and (
        checks.target_threshold is None or checks.target_threshold < member.tier.threshold
    )
    if below and member.tier_keep_until is not None and member.tier_keep_until > at:
        return  # short of their tier, still inside the grace period already started
    member_tier_evaluate(member=member, at=at, program=program)
