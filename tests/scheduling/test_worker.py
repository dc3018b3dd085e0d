"""A real Celery worker and two real beats, as separate processes, against the test database.

Runs once with the no-daemon folder broker (what a newcomer has) and once with Redis when
it is reachable (CI sets CXSUITE_REQUIRE_REDIS=1 so a missing Redis fails instead of
skipping). The tick runs every second here.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.scheduling.models import DueWork, DueWorkStatus
from apps.scheduling.services import due_work_cancel, due_work_register
from apps.tenants.models import TenantWakeup
from tests.helpers.clock import clock_env
from tests.probe.models import ProbeHit

pytestmark = pytest.mark.worker

TICK_SECONDS = 1.0
BASE_DIR = Path(settings.BASE_DIR)


def _redis_url() -> str | None:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    host, port = "127.0.0.1", 6379
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return url
    except OSError:
        if os.environ.get("CXSUITE_REQUIRE_REDIS"):
            raise
        return None


def _broker_env(kind: str, tmp: Path) -> dict[str, str]:
    if kind == "folder":
        return {"CELERY_BROKER_URL": "filesystem://", "BROKER_DIR": str(tmp / "broker")}
    url = _redis_url()
    if url is None:
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    return {"CELERY_BROKER_URL": url}


class Stack:
    """One worker and two beats sharing a private queue."""

    def __init__(self, kind: str, tmp: Path):
        self.queue = f"test-{uuid.uuid4().hex[:8]}"
        env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_URL"}}
        env.update(_broker_env(kind, tmp))
        env.update(
            DJANGO_SETTINGS_MODULE="tests.settings",
            DATABASE_NAME=connection.settings_dict["NAME"],
            CELERY_QUEUE=self.queue,
            DUE_WORK_TICK_SECONDS=str(TICK_SECONDS),
            DATA_DIR=str(tmp),
            PYTHONPATH=str(BASE_DIR),
        )
        env.update(clock_env())  # a run --at another instant: the processes share its clock
        self.env = env
        self.logs = tmp
        celery = [sys.executable, "-m", "celery", "-A", "cxsuite"]
        self.procs = [
            self._start(
                "worker",
                [
                    *celery,
                    "worker",
                    "-Q",
                    self.queue,
                    "--concurrency",
                    "2",
                    "--loglevel",
                    "INFO",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
            ),
            *(
                self._start(
                    f"beat{n}", [*celery, "beat", "-s", str(tmp / f"beat{n}"), "-l", "INFO"]
                )
                for n in (1, 2)
            ),
        ]

    def _start(self, name: str, cmd: list[str]) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        return subprocess.Popen(cmd, cwd=BASE_DIR, env=self.env, stdout=log, stderr=log)

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "ready." in self.log("worker"):
                return
            if any(proc.poll() is not None for proc in self.procs):
                break
            time.sleep(0.2)
        raise AssertionError(f"worker did not start:\n{self.log('worker')[-3000:]}")

    def send_sweep(self, schema: str) -> None:
        """Send the per-tenant sweep directly, as a retried or duplicated message would be."""
        self.send("apps.scheduling.tasks.due_work_sweep_task", schema=schema)

    def send(self, name: str, *, schema: str, kwargs: dict | None = None) -> None:
        """Send a task by name to this stack's worker, in a tenant's schema."""
        from celery import Celery

        app = Celery(broker=self.env["CELERY_BROKER_URL"])
        if self.env["CELERY_BROKER_URL"] == "filesystem://":
            from cxsuite.embedded import broker_folders

            os.environ["BROKER_DIR"] = self.env["BROKER_DIR"]
            try:
                app.conf.broker_transport_options = broker_folders()
            finally:
                del os.environ["BROKER_DIR"]
        app.send_task(name, kwargs=kwargs or {}, queue=self.queue, headers={"_schema_name": schema})

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(params=["folder", "redis"])
def stack(request, committed_tenant, tmp_path):
    running = Stack(request.param, tmp_path)
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()


def _wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _hits() -> Counter:
    return Counter(ProbeHit.objects.values_list("ref", flat=True))


def test_due_row_fires_once_within_one_tick_and_idle_tenant_gets_no_task(stack, committed_tenant):
    due_at = timezone.now() + timedelta(seconds=2)
    due_work_register(kind="probe.hit", ref="reminder-1", due_at=due_at)

    assert _wait_for(lambda: ProbeHit.objects.exists(), timeout=30), stack.log("worker")[-3000:]
    hit = ProbeHit.objects.get()
    assert hit.ran_at >= due_at
    # within one tick of its time (plus the worker's round trip)
    assert hit.ran_at - due_at < timedelta(seconds=TICK_SECONDS + 2)

    time.sleep(4 * TICK_SECONDS)  # more ticks from both beats
    assert _hits() == Counter({"reminder-1": 1})
    assert DueWork.objects.get(ref="reminder-1").status == DueWorkStatus.DONE
    assert TenantWakeup.objects.get(tenant=committed_tenant).last_swept_at is not None
    # beta has nothing due: no wake-up record, so no sweep was ever sent for it
    assert not TenantWakeup.objects.filter(tenant__slug="beta").exists()


def test_two_beats_and_duplicate_sweeps_still_run_each_row_once(stack, committed_tenant):
    due_at = timezone.now() + timedelta(seconds=1)
    refs = [f"batch-{n}" for n in range(40)]
    for ref in refs:
        due_work_register(kind="probe.hit", ref=ref, due_at=due_at)
    due_work_register(kind="probe.hit", ref="cancelled", due_at=due_at)
    due_work_cancel(kind="probe.hit", ref="cancelled")
    time.sleep(1)
    for _ in range(5):  # a retried task, a redelivered message, a second worker's tick
        stack.send_sweep("alpha")

    assert _wait_for(lambda: len(_hits()) >= len(refs), timeout=30), stack.log("worker")[-3000:]
    time.sleep(4 * TICK_SECONDS)
    hits = _hits()
    assert set(hits) == set(refs)
    assert set(hits.values()) == {1}


def test_a_sweep_sent_for_one_tenant_never_touches_another(stack, committed_tenant):
    due_work_register(
        kind="probe.hit", ref="alpha-only", due_at=timezone.now() + timedelta(hours=1)
    )
    DueWork.objects.filter(ref="alpha-only").update(due_at=timezone.now() - timedelta(seconds=1))
    stack.send_sweep("beta")
    time.sleep(3)
    assert not ProbeHit.objects.exists()
    assert DueWork.objects.get(ref="alpha-only").status == DueWorkStatus.PENDING
    with schema_context("beta"):
        assert not ProbeHit.objects.exists()
