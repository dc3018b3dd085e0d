"""The CRM's widgets of the analytics dashboard (cxsuite/lib/analytics.py): active customers
and how many stay, and the RFM grid.

What makes a customer active
    A contact is *active* in a period when they made a purchase in it (a `Transaction` of
    kind purchase, `occurred_at` in the period) or when a module registered in
    `customer_activity` (apps/contacts/registries.py) says they were a customer in it: the
    appointments module contributes completed visits (`starts_at` in the period). The CRM never
    imports those modules; it reads their rows inside its own statement through the queryset
    they hand it. Erased contacts are never counted (their rows stay for the business's other
    figures). Times are compared with the period's bounds, which are local midnights of the
    business's zone, so a purchase at 23:30 local on the last day belongs to the period.

Every figure comes with the same figure for the period before, computed the same way.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from apps.tenants.formats import format_date_short
from cxsuite.lib.analytics import Chart, Figure, Period, Series, Table, WidgetData, rate

from ..models import Contact, RfmScore, RfmSegment, Transaction, TransactionKind
from ..registries import customer_activity
from .contacts import contacts_erased_ids


def _activity_sql(since: dt.datetime | None, until: dt.datetime) -> tuple[str, list[Any]]:
    """The contributed activity rows in [since, until) as one UNION ALL of (contact_id, at).
    Their models' default ordering is dropped: an ORDER BY inside the subquery would steer the
    planner to the index on time when the index on (contact, time) answers a contact."""
    parts: list[str] = []
    params: list[Any] = []
    for source in customer_activity.values():
        sql, source_params = source(since, until).order_by().query.sql_with_params()
        parts.append(f"SELECT contact_id, at FROM ({sql}) AS contributed")
        params.extend(source_params)
    return " UNION ALL ".join(parts), params


def _customers_sql(bounds: list[dt.datetime]) -> tuple[str, list[Any]]:
    """One statement over the activity of the three periods [b0, b3) only (the one before the
    previous, the previous, this one), read by index ranges on its time: per contact, a bit
    for each period it was active in (1, 2, 4) and its purchases in the last two; then the
    counts of the figures for the last two. A contact is new in a period when its first
    active period is that one and it has no activity before b0, which is asked, by an index
    probe on (contact, time), only of those contacts. Revenue needs no per-contact state: it
    is summed over the transactions of the last two periods."""
    b0, b1, b2, b3 = bounds
    contributed, contributed_params = _activity_sql(b0, b3)
    earlier, earlier_params = _activity_sql(None, b0)
    tx, contact = Transaction._meta.db_table, Contact._meta.db_table
    purchase = TransactionKind.PURCHASE.value
    period_bit = "CASE WHEN {at} < %s THEN 1 WHEN {at} < %s THEN 2 ELSE 4 END"
    live = (
        f"NOT EXISTS (SELECT 1 FROM {contact} ct WHERE ct.id = {{id}} AND ct.erased_at IS NOT NULL)"
    )
    sql = f"""
WITH per_contact AS (
    SELECT a.contact_id, BIT_OR(a.bit) AS active,
           COUNT(*) FILTER (WHERE a.purchase AND a.bit = 2) AS purchases_1,
           COUNT(*) FILTER (WHERE a.purchase AND a.bit = 4) AS purchases_2
    FROM (
        SELECT contact_id, {period_bit.format(at="occurred_at")} AS bit, TRUE AS purchase
        FROM {tx}
        WHERE kind = %s AND occurred_at >= %s AND occurred_at < %s
        {f"UNION ALL SELECT contact_id, {period_bit.format(at='at')}, FALSE FROM ({contributed}) AS c" if contributed else ""}
    ) a
    GROUP BY a.contact_id
), live AS (
    SELECT * FROM per_contact pc WHERE {live.format(id="pc.contact_id")}
), first_time AS (
    SELECT pc.active FROM live pc
    WHERE pc.active & 1 = 0
      AND NOT EXISTS (
          SELECT 1 FROM {tx} t
          WHERE t.contact_id = pc.contact_id AND t.kind = %s AND t.occurred_at < %s)
      {"AND NOT EXISTS (SELECT 1 FROM (" + earlier + ") AS e WHERE e.contact_id = pc.contact_id)" if earlier else ""}
), revenue AS (
    SELECT SUM(t.revenue) FILTER (WHERE t.at >= %s) AS now,
           SUM(t.revenue) FILTER (WHERE t.at < %s) AS before
    FROM (
        SELECT contact_id, occurred_at AS at,
               CASE WHEN kind = %s THEN amount ELSE -amount END AS revenue
        FROM {tx} WHERE occurred_at >= %s AND occurred_at < %s
    ) t
    WHERE {live.format(id="t.contact_id")}
)
SELECT
    COUNT(*) FILTER (WHERE active & 4 <> 0), COUNT(*) FILTER (WHERE active & 2 <> 0),
    COUNT(*) FILTER (WHERE active & 1 <> 0),
    COUNT(*) FILTER (WHERE active & 6 = 6), COUNT(*) FILTER (WHERE active & 3 = 3),
    COUNT(*) FILTER (WHERE purchases_2 >= 2), COUNT(*) FILTER (WHERE purchases_2 >= 1),
    COUNT(*) FILTER (WHERE purchases_1 >= 2), COUNT(*) FILTER (WHERE purchases_1 >= 1),
    (SELECT now FROM revenue), (SELECT before FROM revenue),
    (SELECT COUNT(*) FROM first_time WHERE active & 6 = 4),
    (SELECT COUNT(*) FROM first_time WHERE active & 2 = 2)
FROM live
"""
    params: list[Any] = [b1, b2, purchase, b0, b3]
    if contributed:
        params += [b1, b2, *contributed_params]
    params += [purchase, b0, *earlier_params]
    params += [b2, b2, purchase, b1, b3]
    return sql, params


def _weeks_sql(period: Period) -> tuple[str, list[Any]]:
    """Distinct active contacts per week of the period (weeks counted from its first day)."""
    contributed, contributed_params = _activity_sql(period.start, period.end)
    tx, contact = Transaction._meta.db_table, Contact._meta.db_table
    union = f"UNION ALL SELECT contact_id, at FROM ({contributed}) AS c" if contributed else ""
    sql = f"""
SELECT ((a.at AT TIME ZONE %s)::date - %s::date) / 7 AS week, COUNT(DISTINCT a.contact_id)
FROM (
    SELECT contact_id, occurred_at AS at FROM {tx}
    WHERE kind = %s AND occurred_at >= %s AND occurred_at < %s
    {union}
) a
WHERE NOT EXISTS (
    SELECT 1 FROM {contact} ct WHERE ct.id = a.contact_id AND ct.erased_at IS NOT NULL)
GROUP BY 1 ORDER BY 1
"""
    params: list[Any] = [str(period.zone), period.start.date(), TransactionKind.PURCHASE.value]
    params += [period.start, period.end, *contributed_params]
    return sql, params


def _average(revenue: Decimal | None, paying: int) -> Decimal | None:
    if not paying:
        return None
    return (Decimal(revenue or 0) / paying).quantize(Decimal("0.01"))


def customers_widget(period: Period) -> WidgetData:
    """Active customers, retention, churn, repeat purchases, average value and new customers
    for `period` against the period before, with active customers per week (2 queries).

    - Active customers: contacts with a purchase or a contributed activity (a completed
      visit) in the period (see the module docstring).
    - Retention rate: of the customers active in the period before, the share active again in
      this one, in percent; None when nobody was active in the period before.
    - Churn rate: 100 − retention (None with it).
    - Repeat-purchase rate: customers with 2 or more purchases in the period / customers with
      1 or more, in percent; None when nobody bought.
    - Average customer value: revenue in the period (purchases minus refunds recorded in it)
      / paying customers (1 or more purchases in it); None when nobody bought. In the
      business's currency (transactions are recorded in it unless the API says otherwise).
    - New customers: active contacts whose first purchase or contributed activity ever falls
      in the period.
    """
    previous = period.previous
    bounds = [previous.previous.start, previous.start, period.start, period.end]
    with connection.cursor() as cursor:
        cursor.execute(*_customers_sql(bounds))
        row = cursor.fetchone()
        cursor.execute(*_weeks_sql(period))
        weeks = dict(cursor.fetchall())
    (active, active_prev, active_before, kept, kept_prev) = row[0:5]
    (repeat, paying, repeat_prev, paying_prev, revenue, revenue_prev) = row[5:11]
    new, new_prev = row[11], row[12]
    retention, retention_prev = rate(kept, active_prev), rate(kept_prev, active_before)
    figures = [
        Figure(key="active", label=_("Active customers"), value=active, previous=active_prev),
        Figure(
            key="retention",
            label=_("Retention rate"),
            value=retention,
            previous=retention_prev,
            unit="percent",
        ),
        Figure(
            key="churn",
            label=_("Churn rate"),
            value=None if retention is None else round(100.0 - retention, 1),
            previous=None if retention_prev is None else round(100.0 - retention_prev, 1),
            unit="percent",
            better="down",
        ),
        Figure(
            key="repeat",
            label=_("Repeat-purchase rate"),
            value=rate(repeat, paying),
            previous=rate(repeat_prev, paying_prev),
            unit="percent",
        ),
        Figure(
            key="average_value",
            label=_("Average customer value"),
            value=_average(revenue, paying),
            previous=_average(revenue_prev, paying_prev),
            unit="money",
        ),
        Figure(key="new", label=_("New customers"), value=new, previous=new_prev),
    ]
    starts = [period.start.date() + dt.timedelta(days=7 * i) for i in range(-(-period.days // 7))]
    counts = [weeks.get(i, 0) for i in range(len(starts))]
    return WidgetData(
        figures=figures,
        chart=Chart(
            kind="line",
            categories=[format_date_short(day) for day in starts],
            series=[Series(label=_("Active customers"), values=counts)],
            title=_("Active customers per week"),
        ),
        table=Table(
            columns=[_("Week starting"), _("Active customers")],
            rows=[[day, count] for day, count in zip(starts, counts, strict=True)],
        ),
        empty_message="" if active or active_prev else _("No purchases or visits yet."),
    )


# RFM: rows are the recency score from best to worst, columns the frequency score.
SCORES = (1, 2, 3, 4, 5)


def rfm_widget(period: Period) -> WidgetData:
    """The RFM grid as the nightly run left it (apps/contacts/services/rfm.py): how many
    scored customers have each recency (rows, 5 = most recent) and frequency (columns)
    score, and per named segment their number, share and averages (1 query). RFM looks back
    over the business's own window, not the chosen period, so there is no previous value.

    - Scored customers: live contacts with an RFM score (a purchase in the RFM window).
    - Champions / At risk: the share of scored customers in those segments, in percent.
    """
    rows = list(
        RfmScore.objects.exclude(contact_id__in=contacts_erased_ids())
        .values("r", "f", "segment")
        .annotate(n=Count("pk"), monetary=Sum("monetary"), recency=Sum("recency_days"))
        .order_by()
    )
    total = sum(row["n"] for row in rows)
    cells: dict[tuple[int, int], int] = {}
    segments: dict[str, dict[str, Any]] = {
        value: {"n": 0, "monetary": Decimal(0), "recency": 0} for value in RfmSegment.values
    }
    for row in rows:
        cells[row["r"], row["f"]] = cells.get((row["r"], row["f"]), 0) + row["n"]
        segment = segments[row["segment"]]
        segment["n"] += row["n"]
        segment["monetary"] += row["monetary"] or 0
        segment["recency"] += row["recency"] or 0
    labels = dict(RfmSegment.choices)
    table_rows = []
    for value, found in segments.items():
        n = found["n"]
        table_rows.append(
            [
                str(labels[value]),
                n,
                rate(n, total),
                (found["monetary"] / n).quantize(Decimal("0.01")) if n else None,
                round(found["recency"] / n) if n else None,
            ]
        )
    return WidgetData(
        figures=[
            Figure(key="scored", label=_("Scored customers"), value=total),
            Figure(
                key="champions",
                label=_("Champions"),
                value=rate(segments[RfmSegment.CHAMPIONS]["n"], total),
                unit="percent",
            ),
            Figure(
                key="at_risk",
                label=_("At risk"),
                value=rate(segments[RfmSegment.AT_RISK]["n"], total),
                unit="percent",
                better="down",
            ),
        ],
        chart=Chart(
            kind="grid",
            # "F1" ... "F5" across, "R5" ... "R1" down: the note below says what they are
            categories=[
                pgettext("RFM frequency score", "F%(score)s") % {"score": f} for f in SCORES
            ],
            series=[
                Series(
                    label=pgettext("RFM recency score", "R%(score)s") % {"score": r},
                    values=[cells.get((r, f), 0) for f in SCORES],
                )
                for r in reversed(SCORES)
            ],
            title=_("Customers by recency and frequency score"),
        ),
        table=Table(
            columns=[
                _("Segment"),
                _("Customers"),
                _("Share (%)"),
                _("Average value"),
                _("Average days since last purchase"),
            ],
            rows=table_rows,
        ),
        empty_message="" if total else _("No customer has an RFM score yet."),
        notes=(
            _(
                "R is the recency score (R5: bought most recently), F the frequency score "
                "(F5: buys most often); the darker the cell, the more customers in it."
            ),
        )
        if total
        else (),
    )
