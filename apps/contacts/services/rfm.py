"""RFM: recency, frequency and monetary value per contact over the business's window
(`ContactSettings.rfm_window_days`), scored 1-5 by quintile within the business.

How it is computed
- Raw values, over transactions in the window: recency = whole days since the last purchase,
  frequency = number of purchases, monetary = purchases minus refunds (never below 0).
  Only contacts with at least one purchase in the window get a score; the others lose theirs.
- Scores: `NTILE(5)` over each raw value (recency reversed: fewer days, higher score). NTILE
  splits ties arbitrarily, so contacts with the same raw value then share the LOWEST tile
  any of them got: two people who bought the same number of times always get the same score.
- Nightly, `rfm_recompute()` does the whole business in two set-based statements (an
  INSERT … SELECT … ON CONFLICT DO UPDATE with the window functions, and a DELETE), whatever
  the number of contacts. It runs as due work at 03:00 in the business's time zone; the run
  registers the next one. `rfm_schedule_nightly()` registers the first run: call it when a
  business is provisioned (the demo seed does).
- Between nightly runs, a purchase or refund calls `rfm_update_for_contact`, which recomputes
  that contact's raw values and scores them against the boundaries read from the stored scores
  (for each score s, the lowest frequency/monetary and the highest recency in days among the
  contacts scored s; a value reaching the boundary of s gets at least s). Nothing extra is
  stored; the boundaries drift a little until the next full recompute resets them.

Segments, first match wins (r, f, m are the 1-5 scores):

    segment      r      f      m     reading
    champions    4-5    4-5    4-5   bought recently, often and for a lot
    loyal        3-5    4-5    any   buy often and not long ago
    cant_lose    1-2    4-5    4-5   were among the best, have not come back
    at_risk      1-2    3-5    any   bought regularly, but a while ago
    new          4-5    1      any   first purchase(s), recently
    potential    3-5    1-3    any   recent, not yet frequent
    hibernating  2      1-2    any   few purchases, a while ago
    lost         1      1-2    any   few purchases, long ago
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Aggregate, Count, Max, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.scheduling.services import DueWork, due_work_register
from apps.tenants.services import tenant_current

from ..models import (
    Contact,
    ContactSettings,
    RfmScore,
    RfmSegment,
    Transaction,
    TransactionKind,
)
from ..selectors.segment_rules import signed_amount

RFM_NIGHTLY = "contacts.rfm_nightly"
NIGHTLY_AT = dt.time(3, 0)

# (segment, r range, f range, m range): the table in the module docstring, first match wins.
RFM_SEGMENTS: list[tuple[RfmSegment, tuple[int, int], tuple[int, int], tuple[int, int]]] = [
    (RfmSegment.CHAMPIONS, (4, 5), (4, 5), (4, 5)),
    (RfmSegment.LOYAL, (3, 5), (4, 5), (1, 5)),
    (RfmSegment.CANT_LOSE, (1, 2), (4, 5), (4, 5)),
    (RfmSegment.AT_RISK, (1, 2), (3, 5), (1, 5)),
    (RfmSegment.NEW, (4, 5), (1, 1), (1, 5)),
    (RfmSegment.POTENTIAL, (3, 5), (1, 3), (1, 5)),
    (RfmSegment.HIBERNATING, (2, 2), (1, 2), (1, 5)),
    (RfmSegment.LOST, (1, 1), (1, 2), (1, 5)),
]


def rfm_segment_for(r: int, f: int, m: int) -> str:
    """The named segment of a score triple (the table above)."""
    for segment, (r1, r2), (f1, f2), (m1, m2) in RFM_SEGMENTS:
        if r1 <= r <= r2 and f1 <= f <= f2 and m1 <= m <= m2:
            return segment
    return RfmSegment.LOST  # pragma: no cover  (the table covers every triple)


def _segment_case_sql() -> str:
    """The same table as a SQL CASE, so the nightly run and the per-contact update agree."""
    whens = [
        f"WHEN r BETWEEN {r1} AND {r2} AND f BETWEEN {f1} AND {f2} AND m BETWEEN {m1} AND {m2} "
        f"THEN '{segment.value}'"
        for segment, (r1, r2), (f1, f2), (m1, m2) in RFM_SEGMENTS
    ]
    return "CASE " + " ".join(whens) + f" ELSE '{RfmSegment.LOST.value}' END"


RFM_WINDOW_MIN, RFM_WINDOW_MAX = 30, 1825


def rfm_window_set(*, days) -> ContactSettings:
    """Change how far back RFM looks (30 days to 5 years) and rescore everyone with it."""
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not RFM_WINDOW_MIN <= days <= RFM_WINDOW_MAX:
        raise ValidationError(
            {
                "rfm_window_days": _("Choose between %(lo)s and %(hi)s days.")
                % {"lo": RFM_WINDOW_MIN, "hi": RFM_WINDOW_MAX}
            }
        )
    with transaction.atomic():
        settings = rfm_settings()
        if settings.rfm_window_days != days:
            settings.rfm_window_days = days
            settings.save(update_fields=["rfm_window_days"])
            rfm_recompute()
    return settings


def rfm_settings() -> ContactSettings:
    """The business's single CRM settings row (created with defaults on first use)."""
    settings, _created = ContactSettings.objects.get_or_create(pk=1)
    return settings


_RECOMPUTE_SQL = """
WITH raw AS (
    SELECT t.contact_id,
           GREATEST(0, FLOOR(EXTRACT(EPOCH FROM (%(now)s - MAX(t.occurred_at)
               FILTER (WHERE t.kind = %(purchase)s))) / 86400))::integer AS recency_days,
           COUNT(*) FILTER (WHERE t.kind = %(purchase)s) AS frequency,
           GREATEST(0, SUM(CASE WHEN t.kind = %(refund)s THEN -t.amount ELSE t.amount END))
               AS monetary
    FROM {transaction} t
    WHERE t.occurred_at >= %(since)s AND t.occurred_at <= %(now)s
    GROUP BY t.contact_id
    HAVING COUNT(*) FILTER (WHERE t.kind = %(purchase)s) > 0
), tiles AS (
    SELECT raw.*,
           NTILE(5) OVER (ORDER BY recency_days DESC) AS r_tile,
           NTILE(5) OVER (ORDER BY frequency) AS f_tile,
           NTILE(5) OVER (ORDER BY monetary) AS m_tile
    FROM raw
), scored AS (
    SELECT contact_id, recency_days, frequency, monetary,
           MIN(r_tile) OVER (PARTITION BY recency_days) AS r,
           MIN(f_tile) OVER (PARTITION BY frequency) AS f,
           MIN(m_tile) OVER (PARTITION BY monetary) AS m
    FROM tiles
)
INSERT INTO {score} (contact_id, recency_days, frequency, monetary, r, f, m, segment, computed_at)
SELECT contact_id, recency_days, frequency, monetary, r, f, m, {segment_case}, %(now)s
FROM scored
ON CONFLICT (contact_id) DO UPDATE SET
    recency_days = EXCLUDED.recency_days, frequency = EXCLUDED.frequency,
    monetary = EXCLUDED.monetary, r = EXCLUDED.r, f = EXCLUDED.f, m = EXCLUDED.m,
    segment = EXCLUDED.segment, computed_at = EXCLUDED.computed_at
"""

_PRUNE_SQL = """
DELETE FROM {score} s
WHERE NOT EXISTS (
    SELECT 1 FROM {transaction} t
    WHERE t.contact_id = s.contact_id AND t.kind = %(purchase)s
      AND t.occurred_at >= %(since)s AND t.occurred_at <= %(now)s
)
"""


def rfm_recompute(*, now: dt.datetime | None = None) -> int:
    """Score every buyer of the business again (nightly); returns how many were scored.

    A constant number of statements whatever the number of contacts: the settings row, one
    INSERT … SELECT with the window functions, one DELETE of those who stopped buying.
    """
    now = now or timezone.now()
    since = now - dt.timedelta(days=rfm_settings().rfm_window_days)
    tables = {
        "transaction": Transaction._meta.db_table,
        "score": RfmScore._meta.db_table,
        "segment_case": _segment_case_sql(),
    }
    params: dict[str, dt.datetime | str] = {
        "now": now,
        "since": since,
        "purchase": TransactionKind.PURCHASE.value,
        "refund": TransactionKind.REFUND.value,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_RECOMPUTE_SQL.format(**tables), params)
        scored = cursor.rowcount
        cursor.execute(_PRUNE_SQL.format(**tables), params)
    return scored


def _boundaries() -> dict[str, dict[int, object]]:
    """For each score 2-5, the raw value that earns it, read from the stored scores (1 query).

    The contact's own stored row counts too: when it sits on a boundary, it keeps its score
    for the same raw value.
    """
    scores = RfmScore.objects.all()
    aggregates: dict[str, Aggregate] = {}
    for s in range(2, 6):
        aggregates[f"r{s}"] = Max("recency_days", filter=Q(r=s))
        aggregates[f"f{s}"] = Min("frequency", filter=Q(f=s))
        aggregates[f"m{s}"] = Min("monetary", filter=Q(m=s))
    found = scores.aggregate(**aggregates)
    return {
        name: {s: found[f"{name}{s}"] for s in range(2, 6) if found[f"{name}{s}"] is not None}
        for name in ("r", "f", "m")
    }


def _score(value, bounds: dict[int, object], *, lower_is_better: bool = False) -> int:
    score = 1
    for s, bound in bounds.items():
        if (value <= bound) if lower_is_better else (value >= bound):
            score = max(score, s)
    return score


def rfm_update_for_contact(contact: Contact, *, now: dt.datetime | None = None) -> RfmScore | None:
    """Rescore one contact after a purchase or refund, against the current boundaries."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=rfm_settings().rfm_window_days)
    purchase = Q(kind=TransactionKind.PURCHASE)
    found = Transaction.objects.filter(
        contact_id=contact.pk, occurred_at__gte=since, occurred_at__lte=now
    ).aggregate(
        last=Max("occurred_at", filter=purchase),
        frequency=Count("pk", filter=purchase),
        monetary=Sum(signed_amount()),
    )
    with transaction.atomic():
        if not found["frequency"]:
            RfmScore.objects.filter(pk=contact.pk).delete()
            return None
        recency_days = max(0, int((now - found["last"]).total_seconds() // 86400))
        monetary = max(Decimal("0"), found["monetary"] or Decimal("0"))
        bounds = _boundaries()
        r = _score(recency_days, bounds["r"], lower_is_better=True)
        f = _score(found["frequency"], bounds["f"])
        m = _score(monetary, bounds["m"])
        score, _created = RfmScore.objects.update_or_create(
            contact_id=contact.pk,
            defaults={
                "recency_days": recency_days,
                "frequency": found["frequency"],
                "monetary": monetary,
                "r": r,
                "f": f,
                "m": m,
                "segment": rfm_segment_for(r, f, m),
                "computed_at": now,
            },
        )
    return score


def _next_run(now: dt.datetime) -> dt.datetime:
    zone = zoneinfo.ZoneInfo(tenant_current().time_zone)
    local = now.astimezone(zone)
    day = local.date() if local.time() < NIGHTLY_AT else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, NIGHTLY_AT, tzinfo=zone)


def rfm_schedule_nightly(*, now: dt.datetime | None = None) -> DueWork:
    """Register the next 03:00 (business time) recompute; safe to call more than once.

    The reference is the run's date: the run being marked done must not be the row that
    registers the next night (the sweep marks its own row done after the handler returns).
    """
    due_at = _next_run(now or timezone.now())
    return due_work_register(kind=RFM_NIGHTLY, ref=due_at.date().isoformat(), due_at=due_at)


def rfm_nightly_run(work: DueWork) -> None:
    """The due-work handler of the nightly run: recompute, then book the next night."""
    rfm_recompute()
    rfm_schedule_nightly()


def rfm_provision(business) -> None:
    """Every new business gets its nightly RFM recompute."""
    rfm_schedule_nightly()
