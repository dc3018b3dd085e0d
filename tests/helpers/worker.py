"""A real Celery worker and two real beats, as separate processes, against the test database.

Tests run them once with the no-daemon folder broker (what a newcomer has) and once with Redis
when it is reachable (CI sets CXSUITE_REQUIRE_REDIS=1 so a missing Redis fails instead of
skipping). The tick runs every second here.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.helpers.clock import clock_env

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

    def __init__(self, kind: str, tmp: Path, extra_env: dict[str, str] | None = None):
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
        env.update(extra_env or {})
        self.env = env
        self.logs = tmp
        self.groups: list[int] = []  # each process starts a session of its own (see stop)
        celery = [sys.executable, "-m", "celery", "-A", "cxsuite"]
        self.worker_cmd = [
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
        ]
        self.procs = [
            self._start("worker", self.worker_cmd),
            *(
                self._start(
                    f"beat{n}", [*celery, "beat", "-s", str(tmp / f"beat{n}"), "-l", "INFO"]
                )
                for n in (1, 2)
            ),
        ]

    def worker_kill(self) -> None:
        """Kill the worker as a crash would (SIGKILL: no clean shutdown, nothing acknowledged)."""
        self.procs[0].kill()
        self.procs[0].wait(timeout=15)

    def worker_start(self) -> None:
        """A new worker on the same queue and broker, after `worker_kill`."""
        self.procs[0] = self._start("worker", self.worker_cmd, log_name="worker-2")
        deadline = time.monotonic() + 60
        while "ready." not in self.log("worker-2"):
            if time.monotonic() > deadline or self.procs[0].poll() is not None:
                raise AssertionError(f"worker did not start:\n{self.log('worker-2')[-3000:]}")
            time.sleep(0.2)

    def _start(self, name: str, cmd: list[str], log_name: str = "") -> subprocess.Popen:
        log = open(self.logs / f"{log_name or name}.log", "wb")  # noqa: SIM115 (closed with the process)
        proc = subprocess.Popen(
            cmd, cwd=BASE_DIR, env=self.env, stdout=log, stderr=log, start_new_session=True
        )
        self.groups.append(proc.pid)
        return proc

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
            from cxsuite.lib.folder_broker import TRANSPORT

            app.conf.broker_transport = TRANSPORT
            os.environ["BROKER_DIR"] = self.env["BROKER_DIR"]
            try:
                app.conf.broker_transport_options = broker_folders()
            finally:
                del os.environ["BROKER_DIR"]
        app.send_task(name, kwargs=kwargs or {}, queue=self.queue, headers={"_schema_name": schema})

    def stop(self) -> None:
        """Stop the processes, then whatever they left: the pool children of a worker killed
        by `worker_kill` would otherwise finish their task after the test, in the next one's
        database rows."""
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        for group in self.groups:
            with contextlib.suppress(ProcessLookupError, PermissionError):  # already gone
                os.killpg(group, signal.SIGKILL)


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False
