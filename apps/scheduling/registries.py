"""What other apps plug into scheduling (see cxsuite/lib/registry.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from cxsuite.lib.registry import Registry

if TYPE_CHECKING:
    from .models import DueWork

DueWorkHandler = Callable[["DueWork"], None]

due_work_handlers: Registry[DueWorkHandler] = Registry(
    "scheduling.due_work_handlers",
    "Keyed by the kind of due work (`appointments.reminder`). `handler(work)` does one row's "
    "work inside the transaction that marks it done; it returns nothing and raises to be "
    "retried with backoff (five attempts).",
)
