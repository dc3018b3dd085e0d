"""Real threads, each with its own PostgreSQL connection, released at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def run_together(calls: list[Callable[[], object]], *, tenant=None, timeout: float = 180) -> list:
    """Run each call in its own thread and connection (in `tenant`'s schema when given),
    released together by a barrier. Returns each call's result, or the exception it raised,
    in the order they finished; fails if a thread did not finish."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = []
    lock = threading.Lock()

    def run(call):
        try:
            if tenant is not None:
                connection.set_tenant(tenant)
            barrier.wait(timeout=30)
            outcome = call()
        except Exception as exc:  # noqa: BLE001 - the caller asserts on what each one did
            outcome = exc
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert len(outcomes) == len(calls), "a thread did not finish"
    return outcomes
