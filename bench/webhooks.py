"""Webhooks: deliveries per second to a local receiver, and the delay from an event to its
arrival through a real Celery worker.

1. Throughput: the subscriber makes a delivery for each of 2,000 events, then one run of the
   send task (in this process, `WEBHOOKS_SEND_THREADS` POSTs at a time) signs and posts them
   to a receiver in another process and records each answer. Target: at least 200 per second.
2. Delay: events recorded one at a time; each goes through the after-commit wake-up, the
   timeline subscriber in a real worker, the send task after that commits and the POST.
   The delay is measured from the commit to the receiver's arrival. Target: under 2 s median
   with Redis as the broker (with the folder broker it follows its polling).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench.common import ROOT, Section, bench_env, free_port, median, percentile, verdict

EVENTS = 2_000
LATENCY_EVENTS = 30
LATENCY_GAP = 0.2  # seconds between two events of the delay run
TARGET_RATE = 200
TARGET_DELAY = 2.0
SLUG = "bench-webhooks"
SMOKE = {"EVENTS": 20, "LATENCY_EVENTS": 3, "LATENCY_GAP": 0.1}


def _receive(port: int, arrivals) -> None:
    """The receiver process: answers 200 and notes (event id, arrival time) per POST."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            arrivals.put((json.loads(body)["data"]["event_id"], time.time()))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args) -> None:
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 256  # the default backlog of 5 drops concurrent connections
        daemon_threads = True

    server = Server(("127.0.0.1", port), Handler)
    server.serve_forever()


class Receiver:
    def __enter__(self) -> Receiver:
        context = multiprocessing.get_context("spawn")
        self.port = free_port()
        self.arrivals = context.Queue()
        self.process = context.Process(target=_receive, args=(self.port, self.arrivals))
        self.process.start()
        deadline = time.monotonic() + 30
        while True:  # until it listens
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or not self.process.is_alive():
                    raise RuntimeError("the receiver did not start") from None
                time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        return self

    def drain(self, wanted: set[int], timeout: float) -> dict[int, float]:
        """Arrivals until every wanted event came (or the time ran out): event id -> time."""
        got: dict[int, float] = {}
        deadline = time.monotonic() + timeout
        while not wanted <= set(got) and time.monotonic() < deadline:
            try:
                event_id, at = self.arrivals.get(timeout=0.2)
            except Exception:
                continue
            got.setdefault(event_id, at)
        return got

    def __exit__(self, *exc_info) -> None:
        self.process.terminate()
        self.process.join(timeout=5)


def _tenant():
    from django.db import connection

    from apps.tenants.models import Tenant
    from apps.tenants.services import tenant_create

    connection.set_schema_to_public()
    tenant = Tenant.objects.filter(slug=SLUG).first()
    if tenant is None:
        tenant = tenant_create(
            name="Bench Webhooks",
            slug=SLUG,
            owner_name="Bench Owner",
            owner_email="owner@bench-webhooks.example",
            owner_password="bench-webhooks-pass-2026",
            time_zone="America/Chicago",
            country="US",
        )
    return tenant


def _clean() -> None:
    from apps.contacts.models import SubscriberCursor, TimelineEvent
    from apps.webhooks.models import WebhookEndpoint

    WebhookEndpoint.objects.all().delete()
    TimelineEvent.objects.filter(source="bench").delete()
    SubscriberCursor.objects.all().delete()


def _throughput(contact, url: str, receiver: Receiver) -> tuple[float, float, int]:
    """(deliveries made per second by the subscriber, POSTed per second, arrived)."""
    from django.db import transaction

    from apps.contacts.models import TimelineEvent
    from apps.webhooks.services import (
        webhook_deliveries_send,
        webhook_endpoint_create,
        webhooks_on_events,
    )

    webhook_endpoint_create(url=url)
    with transaction.atomic():
        TimelineEvent.objects.bulk_create(
            TimelineEvent(
                contact=contact,
                type="note.added",
                occurred_at=contact.created,
                source="bench",
                properties={"text": f"bench note {n}"},
            )
            for n in range(EVENTS)
        )
    events = list(TimelineEvent.objects.filter(source="bench").order_by("pk"))
    started = time.perf_counter()
    with transaction.atomic():
        for start in range(0, len(events), 500):
            webhooks_on_events(events[start : start + 500])
    made = EVENTS / (time.perf_counter() - started)
    started = time.perf_counter()
    sent = webhook_deliveries_send()
    rate = sent / (time.perf_counter() - started)
    arrived = len(receiver.drain({event.pk for event in events}, timeout=30))
    return made, rate, arrived


def _worker(queue: str, folder: Path) -> list[subprocess.Popen]:
    """A worker and the beat of the due-work tick (catch-ups and retries), on a queue of the
    bench's own."""
    env = bench_env(
        CELERY_QUEUE=queue,
        WEBHOOKS_ALLOW_PRIVATE="1",
        WEBHOOKS_REQUIRE_HTTPS="0",
        DUE_WORK_TICK_SECONDS="1",
        DATA_DIR=str(folder),
    )
    celery = [sys.executable, "-m", "celery", "-A", "cxsuite"]
    worker = [*celery, "worker", "-Q", queue, "--concurrency", "2", "-l", "INFO"]
    worker += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    beat = [*celery, "beat", "-s", str(folder / "beat"), "-l", "WARNING"]
    log = folder / "worker.log"
    processes = []
    for name, command in (("worker", worker), ("beat", beat)):
        with open(folder / f"{name}.log", "wb") as out:
            processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out))
    deadline = time.monotonic() + 60
    while "ready." not in log.read_text(errors="replace"):
        if processes[0].poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("worker did not start:\n" + log.read_text(errors="replace")[-2000:])
        time.sleep(0.2)
    return processes


def _catch_up(timeout: float = 120) -> None:
    """Run the subscribers here until their cursors are past every event so far (other
    transactions on the database server can hold them back for a while)."""
    from apps.contacts import events as timeline
    from apps.contacts.models import SubscriberCursor, TimelineEvent

    last = TimelineEvent.objects.order_by("-txid", "-pk").first()
    deadline = time.monotonic() + timeout
    while last is not None and time.monotonic() < deadline:
        timeline.timeline_subscribers_run()
        cursor = SubscriberCursor.objects.filter(name="webhooks").first()
        if cursor is not None and (cursor.txid, cursor.event_id) >= (last.txid, last.pk):
            return
        time.sleep(0.2)


def _delays(contact, url: str, receiver: Receiver) -> list[float]:
    """Seconds from each event's commit to its arrival, through a real worker."""
    from apps.contacts import events as timeline
    from apps.contacts.services import event_record
    from apps.contacts.tasks import timeline_subscribers_run_task
    from apps.webhooks.models import WebhookEndpoint
    from apps.webhooks.services import webhook_endpoint_create

    WebhookEndpoint.objects.all().delete()
    _catch_up()  # the cursors move past the events of the first part
    webhook_endpoint_create(url=url)
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    folder = Path(tempfile.mkdtemp(prefix="cxsuite-bench-webhooks-"))
    log = folder / "worker.log"
    wake = timeline._wake
    # the after-commit wake-up of this process goes to the bench's own worker
    timeline._wake = lambda: timeline_subscribers_run_task.apply_async(queue=queue)
    processes = _worker(queue, folder)
    committed: dict[int, float] = {}
    final: dict[int, float] = {}
    try:
        for n in range(LATENCY_EVENTS):
            event = event_record(
                contact=contact, type="note.added", properties={"text": f"{n}"}, source="bench"
            )
            committed[event.pk] = time.time()
            final[event.pk] = _final_at(event.pk)
            time.sleep(LATENCY_GAP)
        arrived = receiver.drain(set(committed), timeout=60)
    finally:
        timeline._wake = wake
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
    missing = set(committed) - set(arrived)
    if missing:
        raise RuntimeError(
            f"{len(missing)} events never arrived:\n" + log.read_text(errors="replace")[-2000:]
        )
    return [(arrived[pk] - committed[pk], final[pk] - committed[pk]) for pk in committed]


def _final_at(event_id: int, timeout: float = 60) -> float:
    """When no transaction that started before the event's is still running (the subscribers
    take an event only then: apps/contacts/events.py)."""
    from django.db import connection

    from apps.contacts.models import TimelineEvent

    txid = TimelineEvent.objects.values_list("txid", flat=True).get(pk=event_id)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
            if cursor.fetchone()[0] > txid:
                break
        time.sleep(0.01)
    return time.time()


def run() -> Section:
    from django.conf import settings
    from django_tenants.utils import tenant_context

    from apps.contacts.services import contact_create

    os.environ.setdefault("BROKER_DIR", tempfile.mkdtemp(prefix="cxsuite-bench-broker-"))
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # the receiver is on this machine
    settings.WEBHOOKS_REQUIRE_HTTPS = False
    tenant = _tenant()
    broker = settings.CELERY_BROKER_URL.split(":", 1)[0]
    with tenant_context(tenant), Receiver() as receiver:
        _clean()
        contact = contact_create(first_name="Bench", last_name="Receiver", actor=None)
        try:
            made, rate, arrived = _throughput(contact, receiver.url, receiver)
            receiver.drain(set(), timeout=1)  # whatever came late
            measured = _delays(contact, receiver.url, receiver)
        finally:
            _clean()
    section = Section(
        title=f"7. Webhooks: {EVENTS:,} deliveries to a local receiver; delay through a worker",
        header=["measure", "figure", "target", ""],
    )
    section.rows.append(["deliveries made per second (subscriber)", f"{made:,.0f}", "", ""])
    section.rows.append(
        [
            "deliveries signed, POSTed and logged per second",
            f"{rate:,.0f}",
            f">= {TARGET_RATE}",
            verdict(rate >= TARGET_RATE and arrived == EVENTS),
        ]
    )
    delays = [total for total, _wait in measured]
    waits = [wait for _total, wait in measured]
    after = [total - wait for total, wait in measured]
    section.rows.append(
        [
            f"event to arrival, median ({broker} broker)",
            f"{median(delays):.2f} s",
            f"< {TARGET_DELAY:.0f} s",
            verdict(median(delays) < TARGET_DELAY) if broker == "redis" else "(not Redis)",
        ]
    )
    section.rows.append(
        ["event to arrival, 95th percentile", f"{percentile(delays, 95):.2f} s", "", ""]
    )
    section.rows.append(
        ["  of which waiting for older transactions, median", f"{median(waits):.2f} s", "", ""]
    )
    section.rows.append(["  from then to arrival, median", f"{median(after):.2f} s", "", ""])
    section.notes.append(
        f"  throughput: one send run in this process, {settings.WEBHOOKS_SEND_THREADS} POSTs at a"
        " time, a new connection each (to the checked address);\n  delay: commit → wake-up task"
        " → timeline subscriber in a real worker → send task after commit → POST;\n  an event"
        " reaches subscribers once every transaction older than it has ended (a long one\n"
        "  anywhere on the database server holds it back; a catch-up runs every 5 s meanwhile)"
    )
    return section
