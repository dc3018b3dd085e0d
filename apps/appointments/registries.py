"""What other apps plug into appointments (see cxsuite/lib/registry.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cxsuite.lib.registry import Registry

if TYPE_CHECKING:
    from .models import Appointment


@dataclass(frozen=True)
class Notice:
    """A line the appointment window shows before the visit (a promise to keep), with an
    optional button that posts to `action_url`."""

    text: str
    action_url: str = ""
    action_label: str = ""


NoticeSource = Callable[[Sequence["Appointment"]], dict[int, list[Notice]]]

appointment_notices: Registry[NoticeSource] = Registry(
    "appointments.appointment_notices",
    "Keyed by app label. `source(appointments)` returns {appointment id: [Notice]} for the "
    "appointments shown (the window, the calendar), in a few queries for all of them.",
)


def appointment_notices_for(appointments: Sequence[Appointment]) -> dict[int, list[Notice]]:
    """Every registered module's notices for these appointments."""
    out: dict[int, list[Notice]] = {}
    if not appointments:
        return out
    for source in appointment_notices.values():
        for pk, notices in source(appointments).items():
            out.setdefault(pk, []).extend(notices)
    return out


__all__ = ["Notice", "appointment_notices", "appointment_notices_for"]
