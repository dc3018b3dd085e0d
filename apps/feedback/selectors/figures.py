"""The figures page: NPS, CSAT, effort and response rate, trends by week and month,
breakdowns (staff member, service, channel), words and two-word phrases of comments, case
times, causes, drops, the recovered rate and what recovery earns. Scores are read from the
daily roll-up (`ScoreDay`, kept by the service that records an answer), so they sum a few
hundred rows whatever the number of responses; skipped answers (no score) never count."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncWeek

from ..models import (
    Case,
    CaseStatus,
    Invitation,
    InvitationDay,
    Response,
    ScoreDay,
    SurveyKind,
)

COMMENT_SAMPLE = 2000
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "had",
        "has",
        "have",
        "i",
        "in",
        "is",
        "it",
        "its",
        "me",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "so",
        "that",
        "the",
        "their",
        "them",
        "there",
        "they",
        "this",
        "to",
        "too",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "with",
        "you",
        "your",
        "le",
        "la",
        "les",
        "un",
        "une",
        "des",
        "et",
        "est",
        "il",
        "elle",
        "je",
        "nous",
        "vous",
        "de",
        "du",
        "au",
        "aux",
        "en",
        "pour",
        "pas",
        "que",
        "qui",
        "sur",
        "el",
        "los",
        "las",
        "y",
        "es",
        "en",
        "por",
        "con",
        "no",
        "que",
        "se",
        "lo",
        "un",
        "una",
        "del",
        "al",
        "muy",
    ]
)
WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


@dataclass
class Scores:
    nps: float | None
    csat: float | None
    effort: float | None
    answered: int
    invited: int
    dropped: int

    @property
    def response_rate(self) -> float | None:
        return round(100 * self.answered / self.invited, 1) if self.invited else None


def _nps(promoters: int, detractors: int, total: int) -> float | None:
    return round(100 * (promoters - detractors) / total, 1) if total else None


def score_figures(
    *, nps: tuple[int, int, int], csat: tuple[int, int], effort: tuple[int, int]
) -> tuple[float | None, float | None, float | None]:
    """NPS from (promoters, detractors, answers), CSAT from (4-5 answers, answers), average
    effort from (sum of scores, answers); None where there are no answers. The one place the
    arithmetic lives: the roll-up and the test that recounts from responses both use it."""
    csat_good, csat_total = csat
    effort_sum, effort_total = effort
    return (
        _nps(*nps),
        round(100 * csat_good / csat_total, 1) if csat_total else None,
        round(effort_sum / effort_total, 2) if effort_total else None,
    )


def roll_up_sums(where: Q | None = None, *, prefix: str = "") -> dict[str, Sum]:
    """Sums over ScoreDay rows (of those matching `where`), named `<prefix><name>`: a
    promoter band is NPS 9-10 and CSAT 4-5 (models.band_for)."""
    base = where if where is not None else Q()
    parts = {
        "n": ("answers", Q()),
        "nps_total": ("answers", Q(kind="nps")),
        "nps_pro": ("answers", Q(kind="nps", band="promoter")),
        "nps_det": ("answers", Q(kind="nps", band="detractor")),
        "csat_total": ("answers", Q(kind="csat")),
        "csat_good": ("answers", Q(kind="csat", band="promoter")),
        "ces_total": ("answers", Q(kind="ces")),
        "ces_sum": ("score_sum", Q(kind="ces")),
    }
    return {
        prefix + name: Sum(column, filter=(base & condition) or None)
        for name, (column, condition) in parts.items()
    }


_SUMS = roll_up_sums()


def scores_from(
    agg: dict[str, Any], *, prefix: str = ""
) -> tuple[float | None, float | None, float | None]:
    """NPS, CSAT and effort from the sums of `roll_up_sums`."""

    def get(name: str) -> int:
        return int(agg.get(prefix + name) or 0)

    return score_figures(
        nps=(get("nps_pro"), get("nps_det"), get("nps_total")),
        csat=(get("csat_good"), get("csat_total")),
        effort=(get("ces_sum"), get("ces_total")),
    )


def local_days(since: dt.datetime, until: dt.datetime) -> tuple[dt.date, dt.date]:
    """The business's local days [first, last) that [since, until) covers: a bound that is
    not a local midnight takes in its whole day (the roll-up counts whole days)."""
    from ..services.common import business_zone

    zone = business_zone()
    first = since.astimezone(zone).date()
    end_local = until.astimezone(zone)
    last = end_local.date()
    if end_local.time() != dt.time() or end_local.tzinfo is None:
        last += dt.timedelta(days=1)
    return first, last


def score_days(
    *, since: dt.datetime, until: dt.datetime, survey_id: int | None = None
) -> QuerySet[ScoreDay]:
    """The roll-up rows of the local days of [since, until)."""
    first, last = local_days(since, until)
    rows = ScoreDay.objects.filter(day__gte=first, day__lt=last, answers__gt=0)
    return rows.filter(survey_id=survey_id) if survey_id else rows


def scores_for(*, since: dt.datetime, until: dt.datetime, survey_id: int | None = None) -> Scores:
    """The headline figures over the local days of a period, from the daily roll-ups: scores
    of the answers given and invitations sent on those days."""
    agg = score_days(since=since, until=until, survey_id=survey_id).aggregate(**_SUMS)
    return scores_with_rates(scores_from(agg), since=since, until=until, survey_id=survey_id)


def scores_with_rates(
    scores: tuple[float | None, float | None, float | None],
    *,
    since: dt.datetime,
    until: dt.datetime,
    survey_id: int | None = None,
) -> Scores:
    """NPS, CSAT and effort with the invitations of the same local days (their roll-up)."""
    first, last = local_days(since, until)
    invitations = InvitationDay.objects.filter(day__gte=first, day__lt=last)
    if survey_id:
        invitations = invitations.filter(survey_id=survey_id)
    counts = invitations.aggregate(
        sent=Sum("invitations", filter=Q(status__in=["sent", "answered", "expired"])),
        answered=Sum("invitations", filter=Q(status="answered")),
        dropped=Sum("invitations", filter=Q(status="dropped")),
    )
    return Scores(
        *scores,
        counts["answered"] or 0,
        counts["sent"] or 0,
        counts["dropped"] or 0,
    )


def trend(*, since: dt.datetime, until: dt.datetime, by: str = "month") -> list[dict[str, Any]]:
    """NPS, CSAT and effort per week (starting Monday) or month of local days (periods
    without answers left out)."""
    trunc = TruncWeek if by == "week" else TruncMonth
    rows = (
        score_days(since=since, until=until)
        .annotate(period=trunc("day"))
        .values("period")
        .annotate(**_SUMS)
        .order_by("period")
    )
    out = []
    for row in rows:
        nps, csat, effort = scores_from(row)
        out.append(
            {
                "period": row["period"],
                "answers": row["n"],
                "nps": nps,
                "csat": csat,
                "effort": effort,
            }
        )
    return out


def breakdown(*, since: dt.datetime, until: dt.datetime, by: str) -> list[dict[str, Any]]:
    """NPS and CSAT per staff member, service or channel, most answers first."""
    field = {"staff": "staff_id", "service": "service_id", "channel": "channel"}[by]
    rows = (
        score_days(since=since, until=until)
        .values(key=F(field))
        .annotate(**_SUMS)
        .order_by("-n", "key")[:20]
    )
    out = []
    for row in rows:
        if by != "channel" and row["key"] == 0:
            row["key"] = None  # the roll-up's 0: no staff member / no service
        nps, csat, effort = scores_from(row)
        out.append(
            {"key": row["key"], "answers": row["n"], "nps": nps, "csat": csat, "effort": effort}
        )
    names = _names(by, [r["key"] for r in out])
    for row in out:
        row["name"] = names.get(row["key"], row["key"])
    return out


# GROUPING(period, staff_id, service_id, channel): a bit is 1 for a column not grouped by.
_SETS = {15: "total", 7: "period", 11: "staff", 13: "service", 14: "channel"}


def score_summary(*, since: dt.datetime, until: dt.datetime, by: str = "month") -> dict[str, Any]:
    """What the figures page shows of the scores, from ONE pass over the roll-up rows of the
    period (grouping sets): the totals, the trend by week or month, and the breakdowns by
    staff member, service and channel. Equal to `scores_for`, `trend` and `breakdown`."""
    from django.db import connection

    first, last = local_days(since, until)
    unit = "week" if by == "week" else "month"
    sums = ", ".join(
        f"sum({column}) FILTER (WHERE {condition}) AS {name}"
        for name, column, condition in (
            ("n", "answers", "true"),
            ("nps_total", "answers", "kind = 'nps'"),
            ("nps_pro", "answers", "kind = 'nps' AND band = 'promoter'"),
            ("nps_det", "answers", "kind = 'nps' AND band = 'detractor'"),
            ("csat_total", "answers", "kind = 'csat'"),
            ("csat_good", "answers", "kind = 'csat' AND band = 'promoter'"),
            ("ces_total", "answers", "kind = 'ces'"),
            ("ces_sum", "score_sum", "kind = 'ces'"),
        )
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT GROUPING(period, staff_id, service_id, channel), period, staff_id,
                   service_id, channel, {sums}
            FROM (SELECT date_trunc(%s, day)::date AS period, *
                  FROM {ScoreDay._meta.db_table}
                  WHERE day >= %s AND day < %s AND answers > 0) AS rows
            GROUP BY GROUPING SETS ((), (period), (staff_id), (service_id), (channel))
            """,
            [unit, first, last],
        )
        names = [c.name for c in cursor.description]
        found = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    parts: dict[str, list[dict[str, Any]]] = {name: [] for name in _SETS.values()}
    for row in found:
        parts[_SETS[row["grouping"]]].append(row)
    total = parts["total"][0] if parts["total"] else {}
    periods = []
    for row in sorted(parts["period"], key=lambda r: r["period"]):
        nps, csat, effort = scores_from(row)
        periods.append(
            {
                "period": row["period"],
                "answers": row["n"],
                "nps": nps,
                "csat": csat,
                "effort": effort,
            }
        )
    out: dict[str, Any] = {"totals": scores_from(total), "periods": periods}
    for name, field in (("staff", "staff_id"), ("service", "service_id"), ("channel", "channel")):
        rows = []
        for row in parts[name]:
            key = row[field]
            if name != "channel" and key == 0:
                key = None  # the roll-up's 0: no staff member / no service
            nps, csat, effort = scores_from(row)
            rows.append(
                {"key": key, "answers": row["n"], "nps": nps, "csat": csat, "effort": effort}
            )
        rows.sort(key=lambda r: (-r["answers"], "" if r["key"] is None else str(r["key"])))
        rows = rows[:20]
        labels = _names(name, [r["key"] for r in rows])
        for row in rows:
            row["name"] = labels.get(row["key"], row["key"])
        out[name] = rows
    return out


def _names(by: str, keys: list) -> dict:
    from django.utils.translation import gettext as _

    keys = [k for k in keys if k is not None]
    if by == "channel":
        labels = {"email": _("E-mail"), "sms": _("Text message"), "web": _("Web"), "api": _("API")}
        return {k: labels.get(k, k) for k in keys}
    from apps.appointments.selectors.setup import service_list, staff_list

    source = staff_list() if by == "staff" else service_list()
    found: dict[Any, str] = dict(source.filter(pk__in=keys).values_list("pk", "name"))
    found[None] = _("Not linked to a visit")
    return found


def comment_terms(
    *, since: dt.datetime, until: dt.datetime, band: str = "", limit: int = 15
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """The most frequent words and two-word phrases in the latest comments (of a band)."""
    rows = Response.objects.filter(created__gte=since, created__lt=until).exclude(comment="")
    if band:
        rows = rows.filter(band=band)
    words: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    for comment in rows.order_by("-created").values_list("comment", flat=True)[:COMMENT_SAMPLE]:
        tokens = [w for w in WORD.findall(comment.lower())]
        kept = [w for w in tokens if w not in STOP_WORDS]
        words.update(set(kept))
        pairs.update(
            {
                f"{a} {b}"
                for a, b in zip(tokens, tokens[1:], strict=False)
                if a not in STOP_WORDS and b not in STOP_WORDS
            }
        )
    return words.most_common(limit), [p for p in pairs.most_common(limit) if p[1] > 1]


def case_figures(*, since: dt.datetime, until: dt.datetime, now: dt.datetime) -> dict[str, Any]:
    """Case counts, median-free averages of time to first contact and to resolution (hours),
    the report by root cause, and the gestures' cost."""
    cases = Case.objects.filter(opened_at__gte=since, opened_at__lt=until)
    agg = cases.aggregate(
        opened=Count("pk"),
        open=Count("pk", filter=Q(status__in=["open", "contacted"])),
        overdue=Count("pk", filter=Q(status__in=["open", "contacted"], due_at__lt=now)),
        resolved=Count("pk", filter=Q(status=CaseStatus.RESOLVED)),
        to_contact=Avg(F("first_contact_at") - F("opened_at")),
        to_resolve=Avg(F("resolved_at") - F("opened_at")),
        points=Sum("gesture_points"),
        vouchers=Sum("gesture_value"),
    )
    causes = list(
        cases.filter(status=CaseStatus.RESOLVED)
        .values("root_cause__label")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )

    def hours(value):
        return round(value.total_seconds() / 3600, 1) if value is not None else None

    return {
        **agg,
        "to_contact_hours": hours(agg["to_contact"]),
        "to_resolve_hours": hours(agg["to_resolve"]),
        "causes": causes,
        "vouchers": agg["vouchers"] or Decimal(0),
        "points": agg["points"] or 0,
    }


def recovery_figures(*, since: dt.datetime, until: dt.datetime) -> dict[str, Any]:
    """Detractors whose later answer was passive or promoter (recovered), and whether
    recovered customers came back: visits and spend after their bad answer, against the
    detractors who were not recovered. Spend is each customer's own after their first bad
    answer, purchases less refunds, summed over the group (two queries in all)."""
    from django.db import connection

    responses, invitations = Response._meta.db_table, Invitation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH bad AS (
                -- one pass: a later passive or promoter answer exists when the latest
                -- such answer is after the first bad one
                SELECT contact_id,
                       min(created) FILTER (WHERE band = 'detractor' AND created < %s) AS first,
                       max(created) FILTER (WHERE band IN ('passive', 'promoter')) AS good
                FROM {responses}
                WHERE created >= %s
                GROUP BY contact_id
                HAVING min(created) FILTER (WHERE band = 'detractor' AND created < %s)
                       IS NOT NULL
            ),
            visits AS (
                SELECT i.contact_id, count(*) AS n FROM {invitations} i JOIN bad USING (contact_id)
                WHERE i.appointment_id IS NOT NULL AND i.created > bad.first
                GROUP BY i.contact_id
            )
            SELECT bad.contact_id, bad.first, coalesce(bad.good > bad.first, false),
                   coalesce(visits.n, 0)
            FROM bad
            LEFT JOIN visits USING (contact_id)
            """,
            [until, since, until],
        )
        rows = cursor.fetchall()
    if not rows:
        return {"detractors": 0, "recovered": 0, "rate": None, "groups": []}
    from apps.contacts.selectors.contacts import contacts_spend_after

    first_bad = {contact_id: first for contact_id, first, _r, _v in rows}
    spend = contacts_spend_after(first_bad, until)
    recovered = {contact_id for contact_id, _f, good, _v in rows if good}
    visits: Counter[int] = Counter({contact_id: n for contact_id, _f, _r, n in rows})
    groups = []
    for label, ids in (("recovered", recovered), ("unrecovered", set(first_bad) - recovered)):
        groups.append(
            {
                "group": label,
                "customers": len(ids),
                "returned": sum(1 for c in ids if visits[c]),
                "visits": sum(visits[c] for c in ids),
                "spend": sum((spend.get(c, Decimal(0)) for c in ids), Decimal(0)),
            }
        )
    return {
        "detractors": len(first_bad),
        "recovered": len(recovered),
        "rate": round(100 * len(recovered) / len(first_bad), 1),
        "groups": groups,
    }


KIND_LABELS = dict(SurveyKind.choices)
