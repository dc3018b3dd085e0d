"""Reads of due work for the apps that register it: what is pending, and what became of the
rows they registered. Plain data out, so callers never depend on the table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from .models import DueWork, DueWorkStatus

CHUNK = 2000  # refs per query


@dataclass(frozen=True)
class DueWorkState:
    """Where one registered row stands."""

    ref: str
    status: str
    due_at: dt.datetime
    payload: dict

    @property
    def pending(self) -> bool:
        return self.status == DueWorkStatus.PENDING

    @property
    def done(self) -> bool:
        return self.status == DueWorkStatus.DONE


def due_work_pending_refs(*, kind: str, ref_prefix: str = "") -> list[str]:
    """The refs of the pending rows of `kind` (those starting with `ref_prefix`), in ref
    order."""
    rows = DueWork.objects.pending().filter(kind=kind)
    if ref_prefix:
        rows = rows.filter(ref__startswith=ref_prefix)
    return list(rows.order_by("ref").values_list("ref", flat=True))


def due_work_states(*, kind: str, refs: Iterable[str | int]) -> dict[str, DueWorkState]:
    """ref -> state of the rows of `kind` with these refs, whatever their status (one query
    per two thousand refs); refs never registered are missing."""
    wanted = list(dict.fromkeys(str(ref) for ref in refs))
    states: dict[str, DueWorkState] = {}
    for start in range(0, len(wanted), CHUNK):
        rows = DueWork.objects.filter(kind=kind, ref__in=wanted[start : start + CHUNK])
        for ref, status, due_at, payload in rows.values_list("ref", "status", "due_at", "payload"):
            states[ref] = DueWorkState(ref=ref, status=status, due_at=due_at, payload=payload)
    return states
