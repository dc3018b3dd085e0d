"""The daily roll-ups the figures read instead of every row: scored answers (`ScoreDay`) and
invitations by status (`InvitationDay`). `score_days_move` is called by the service that
records or changes a response, `invitation_days_move` by every service that creates an
invitation or changes its status, inside their transactions; `score_days_rebuild`
recounts both from the rows (the demo and bench data written in bulk)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from ..models import Invitation, InvitationDay, Response, ScoreDay


@dataclass(frozen=True, order=True)
class ScoreKey:
    """Where one scored answer is counted, and its score."""

    day: dt.date
    survey_id: int
    kind: str
    staff_id: int
    service_id: int
    channel: str
    band: str
    score: int

    @property
    def row(self) -> tuple:
        """The ScoreDay row it is counted in."""
        return (
            self.day,
            self.survey_id,
            self.kind,
            self.staff_id,
            self.service_id,
            self.channel,
            self.band,
        )


def score_key(response: Response, zone: zoneinfo.ZoneInfo) -> ScoreKey | None:
    """The roll-up key of a response as it stands; None for a skipped answer (no score)."""
    if response.score is None or not response.band:
        return None
    return ScoreKey(
        day=response.created.astimezone(zone).date(),
        survey_id=response.survey_id,
        kind=response.kind,
        staff_id=response.staff_id or 0,
        service_id=response.service_id or 0,
        channel=response.channel or "",
        band=response.band,
        score=response.score,
    )


def score_days_move(*, before: ScoreKey | None, after: ScoreKey | None) -> None:
    """Take an answer out of its old day row and count it in its new one, in one statement
    (rows in key order, so two changed answers never wait on each other in a circle)."""
    if before == after:
        return
    # (row key) -> [answers, score sum]; a changed score in the same band is one row
    deltas: dict[tuple, list[int]] = {}
    for key, sign in ((before, -1), (after, 1)):
        if key is not None:
            row = deltas.setdefault(key.row, [0, 0])
            row[0] += sign
            row[1] += sign * key.score
    rows = sorted((k, d) for k, d in deltas.items() if d != [0, 0])
    if not rows:
        return
    table = ScoreDay._meta.db_table
    values = ", ".join(["(%s::date, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
    params: list[Any] = []
    for row_key, (answers, score_sum) in rows:
        params += [*row_key, answers, score_sum]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} AS t
                (day, survey_id, kind, staff_id, service_id, channel, band, answers, score_sum)
            VALUES {values}
            ON CONFLICT (day, survey_id, kind, staff_id, service_id, channel, band)
            DO UPDATE SET answers = t.answers + EXCLUDED.answers,
                          score_sum = t.score_sum + EXCLUDED.score_sum
            """,
            params,
        )


def invitation_days_move(
    *, invitation: Invitation, before: str | None, after: str | None, zone: zoneinfo.ZoneInfo
) -> None:
    """Move one invitation from status `before` to `after` (None: not counted) in its day."""
    if before == after:
        return
    day = invitation.send_at.astimezone(zone).date()
    rows = sorted((status, sign) for status, sign in ((before, -1), (after, 1)) if status)
    table = InvitationDay._meta.db_table
    values = ", ".join(["(%s::date, %s, %s, %s)"] * len(rows))
    params: list[Any] = []
    for status, sign in rows:
        params += [day, invitation.survey_id, status, sign]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} AS t (day, survey_id, status, invitations)
            VALUES {values}
            ON CONFLICT (day, survey_id, status)
            DO UPDATE SET invitations = t.invitations + EXCLUDED.invitations
            """,
            params,
        )


def score_days_rebuild(*, zone: zoneinfo.ZoneInfo | None = None) -> int:
    """Recount both roll-ups from the responses and invitations (in the business's zone); the
    rows written. Locks the tables so nothing is counted twice or lost while it runs."""
    from .common import business_zone

    zone = zone or business_zone()
    table, responses = ScoreDay._meta.db_table, Response._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(
            f"""
            INSERT INTO {table}
                (day, survey_id, kind, staff_id, service_id, channel, band, answers, score_sum)
            SELECT (created AT TIME ZONE %s)::date, survey_id, kind, coalesce(staff_id, 0),
                   coalesce(service_id, 0), channel, band, count(*), sum(score)
            FROM {responses}
            WHERE score IS NOT NULL AND band <> ''
            GROUP BY 1, 2, 3, 4, 5, 6, 7
            """,
            [str(zone)],
        )
        written = cursor.rowcount
        table = InvitationDay._meta.db_table
        cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(
            f"""
            INSERT INTO {table} (day, survey_id, status, invitations)
            SELECT (send_at AT TIME ZONE %s)::date, survey_id, status, count(*)
            FROM {Invitation._meta.db_table}
            GROUP BY 1, 2, 3
            """,
            [str(zone)],
        )
        return written + cursor.rowcount
