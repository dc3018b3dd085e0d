"""Campaigns: a newsletter to 100,000 contacts sent by a real Celery worker (two processes, as
`make demo` runs it) with the outbox provider, from "send now" to the last message handed to
the provider: the campaign's batches of 2,000 through `message_send_batch`, then every
message's delivery task. Also the worker's peak memory (the largest resident size any of its
processes reached, and the peak of their sum, sampled every half second).

Targets: under 120 s and under 300 MB on this machine. Runs on the CRM bench business
(bench/contacts.py), every contact with an e-mail opted in, and removes what it sent.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench.common import Section, bench_env, verdict

RECIPIENTS = int(os.environ.get("BENCH_CAMPAIGNS_RECIPIENTS") or 100_000)
TARGET_SECONDS = 120
TARGET_MB = 300
TIMEOUT = 900
SMOKE = {"RECIPIENTS": 200, "TIMEOUT": 180}


def _rss_kb(pid: int) -> tuple[int, int]:
    """(resident now, peak resident) of a process in kB; (0, 0) once it is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0, 0
    values = {}
    for line in text.splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            values[line.split(":")[0]] = int(line.split()[1])
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _family(pid: int) -> list[int]:
    """The worker and its pool processes."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        kids = [int(p) for p in children.read_text().split()]
    except OSError:
        kids = []
    return [pid, *kids]


def _wait_ready(worker, celery_app, log_path: Path, timeout: float = 600) -> None:
    """Until the worker answers a ping (a loaded machine starts one slowly); a broker that
    cannot broadcast (the folder broker) gets a fixed wait instead."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(log_path.read_text(errors="replace")[-3000:])
        try:
            if celery_app.control.ping(timeout=1.0):
                return
        except Exception:  # no broadcast on this broker
            time.sleep(15)
            return
        time.sleep(0.5)
    raise RuntimeError("the worker did not answer within the time allowed")


def subscribers_caught_up() -> None:
    """Move every timeline subscriber's cursor past the events already stored: the generated
    history (a million events in bench/contacts.py) is not news, and a fresh bench database
    would otherwise time the subscribers' first pass over it instead of the campaign. The
    campaign's own events still reach every subscriber."""
    from django.db import connection

    from apps.contacts.models import SubscriberCursor
    from apps.contacts.registries import timeline_subscribers

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(max(txid), 0), coalesce(max(id), 0) FROM contacts_timelineevent"
        )
        txid, event_id = cursor.fetchone()
    for name in timeline_subscribers:
        SubscriberCursor.objects.update_or_create(
            name=name,
            defaults={"txid": txid, "event_id": event_id, "failures": 0, "retry_at": None},
        )


def run() -> Section:
    from django.db import connection
    from django_tenants.utils import tenant_context

    from bench.contacts import _generate, _tenant

    tenant = _tenant()
    _generate(tenant.schema_name)
    queue = f"bench-campaigns-{uuid.uuid4().hex[:8]}"
    broker_dir = tempfile.mkdtemp(prefix="cxsuite-bench-campaigns-")
    # e-mails go to the outbox provider, as texts do by default: each message's headers,
    # links and HTML are made and handed over, nothing leaves and no MIME is built
    extra = {
        "CELERY_QUEUE": queue,
        "BROKER_DIR": broker_dir,
        "MESSAGING_EMAIL_PROVIDER": "outbox",
    }
    os.environ.update(extra)  # the campaign's first task goes where the worker listens
    from django.conf import settings

    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    from cxsuite.celery import app as celery_app

    celery_app.conf.task_default_queue = queue
    if settings.CELERY_BROKER_URL == "filesystem://":
        from cxsuite.embedded import broker_folders

        celery_app.conf.broker_transport_options = broker_folders()

    with tenant_context(tenant):
        from apps.campaigns.models import Campaign
        from apps.campaigns.services import campaign_create, campaign_schedule
        from apps.contacts.models import Contact, Segment, SegmentMember, TimelineEvent
        from apps.messaging.models import Message
        from apps.messaging.services.settings import messaging_settings

        def cleanup() -> None:
            Campaign.objects.all().delete()
            Segment.objects.filter(name="Bench campaign list").delete()
            TimelineEvent.objects.filter(source__in=["campaigns", "messaging"]).delete()
            Message.objects.all().delete()

        cleanup()
        subscribers_caught_up()
        Contact.objects.exclude(email="").update(email_consent="opted_in")
        row = messaging_settings()
        row.marketing_cap_per_week = 1000
        row.save()
        ids = list(
            Contact.objects.exclude(email="")
            .order_by("pk")
            .values_list("pk", flat=True)[:RECIPIENTS]
        )
        audience = Segment.objects.create(name="Bench campaign list", kind="static")
        SegmentMember.objects.bulk_create(
            [SegmentMember(segment=audience, contact_id=pk) for pk in ids], batch_size=5000
        )
        campaign = campaign_create(
            name="Bench newsletter",
            segments=[audience],
            variants=[
                {
                    "subject": "News",
                    "blocks": [
                        {"type": "heading", "text": "Spring"},
                        {"type": "text", "text": "Longer hours on Thursdays."},
                        {"type": "button", "text": "Book", "url": "https://example.test/book"},
                        {"type": "footer"},
                    ],
                }
            ],
        )
        log_path = Path(broker_dir) / "worker.log"
        log = log_path.open("wb")
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "cxsuite",
                "worker",
                "-Q",
                queue,
                "--concurrency",
                "2",
                "--loglevel",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            env=bench_env(**extra),
            stdout=log,
            stderr=log,
        )
        peak_one = peak_sum = 0
        cpu: dict[int, float] = {}  # each worker process's CPU time, as last sampled
        try:
            _wait_ready(worker, celery_app, log_path)
            started = time.perf_counter()
            campaign_schedule(campaign=campaign)  # "send now": the first task after commit
            done = 0
            while time.perf_counter() - started < TIMEOUT:
                sampled = [_rss_kb(pid) for pid in _family(worker.pid)]
                peak_sum = max(peak_sum, sum(now for now, _peak in sampled))
                peak_one = max([peak_one, *(peak for _now, peak in sampled)])
                for pid in _family(worker.pid):
                    cpu[pid] = max(cpu.get(pid, 0.0), _cpu_seconds(pid))
                done = Message.objects.filter(
                    dedupe_key__startswith=f"campaign:{campaign.pk}:", status="sent"
                ).count()
                if done >= len(ids):
                    break
                time.sleep(0.5)
            elapsed = time.perf_counter() - started
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
            log.close()
            connection.close()
        cleanup()
    if done < len(ids):
        tail = log_path.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"only {done} of {len(ids)} sent in {TIMEOUT} s\n{tail}")
    section = Section(
        title=f"7. Campaigns: a newsletter to {len(ids):,} contacts by a Celery worker (outbox)",
        header=["measure", "figure", "target", ""],
    )
    section.rows.append(
        [
            "from send to the last message handed over",
            f"{elapsed:.1f} s",
            f"< {TARGET_SECONDS} s",
            verdict(elapsed < TARGET_SECONDS),
        ]
    )
    section.rows.append(["messages per second", f"{len(ids) / elapsed:,.0f}", "", ""])
    worker_cpu = sum(cpu.values())
    section.rows.append(
        [
            "worker CPU per message (its processes, not PostgreSQL's)",
            f"{1000 * worker_cpu / len(ids):.2f} ms",
            "",
            "",
        ]
    )
    section.rows.append(["load average (1 min) at the end", f"{os.getloadavg()[0]:.1f}", "", ""])
    section.rows.append(
        [
            "worker peak memory (largest process)",
            f"{peak_one / 1024:.0f} MB",
            f"< {TARGET_MB} MB",
            verdict(peak_one / 1024 < TARGET_MB),
        ]
    )
    section.rows.append(
        ["  all its processes together (peak)", f"{peak_sum / 1024:.0f} MB", "", ""]
    )
    section.notes.append(
        "  the audience in one INSERT … SELECT; per batch of 2,000: consent, the weekly cap, the"
        " suppression list, the wording\n  once per language, one INSERT of messages and one per"
        " kind of event, the rows marked in one UPDATE, one delivery task\n  per 500; per 500"
        " messages: the claim (one UPDATE, committed), one provider session, the record (one"
        " UPDATE,\n  one stats upsert, one event INSERT);"
        "\n  per message: its links, headers and the campaign's HTML, handed to the outbox"
        " (BENCH_CAMPAIGNS_RECIPIENTS sets the size)"
    )
    return section
