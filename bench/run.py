"""Print CX Suite's performance figures: `make bench`, or `python bench/run.py` from the root.

1. tenant provisioning time (bench/provisioning.py)
2. cost of the due-work beat tick with 1, 100 and 1,000 tenants (bench/tick.py)
3. API requests per second through the tenant middleware against a bare DRF view
   (bench/api_throughput.py)
4. CRM at scale: list, search, segment count, RFM and CSV import on 100,000 contacts
   (bench/contacts.py)
5. messaging throughput and queries per message for 10,000 reminders (bench/messaging.py)
6. appointments: availability for 30 days x 10 staff with 2,000 bookings, and bookings per
   second through the API with threads racing for the same times (bench/appointments.py)
7. scale: 100 then 1,000 businesses: no-op bootstrap, one added migration to all with 4
   workers, disk and catalogue per business, first request of a new web process, pg_dump of
   one business, extrapolated to 10,000 (bench/scale.py)
8. webhooks: deliveries per second to a local receiver, and the delay from an event to its
   arrival through a real Celery worker (bench/webhooks.py)
9. loyalty: the nightly expiry and tier run over 100,000 members and 1,000,000 lots, and
   earn operations per second through the API
   (bench/loyalty.py)
10. campaigns: a newsletter to 100,000 contacts sent by a Celery worker with the outbox
   provider, and the worker's peak memory (bench/campaigns.py)
11. feedback: the figures page over 100,000 responses, and a detractor's answer to its case
   and the owner's alert (bench/feedback.py)

`python bench/run.py appointments contacts` runs only the benches named.
`python bench/run.py --smoke` runs every bench at tiny sizes (each module's SMOKE) on a fresh
database of its own, in under a minute: `make test` runs it, so a bench that stopped working
(a column its data generator does not know, a renamed service) fails the tests, not the next
`make bench`. Its figures mean nothing.

Everything runs against the database `cxsuite_bench` (BENCH_DATABASE_NAME to choose another)
on the configured server (DATABASE_URL, or the embedded PostgreSQL); the demo's data is never
touched.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.chdir(ROOT)

from bench import common


def main() -> int:
    parser = argparse.ArgumentParser(description="Print CX Suite's performance figures.")
    parser.add_argument("benches", nargs="*", metavar="bench", help="only these (by module)")
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes on a fresh database: does each run?"
    )
    args = parser.parse_args()
    if args.smoke:
        common.smoke_start()
    # a SIGTERM unwinds like Ctrl-C, so the servers a bench started are stopped on the way out
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    started = time.perf_counter()
    smoke_note = " (smoke: tiny sizes, the figures mean nothing)" if args.smoke else ""
    print(f"CX Suite benchmarks{smoke_note}")
    print(f"  database: {common.BENCH_DATABASE} on {common.server_description()}")
    print(f"  machine:  {os.cpu_count()} CPU cores, Python {sys.version.split()[0]}")
    sys.stdout.flush()
    common.prepare()

    from bench import (
        api_throughput,
        appointments,
        campaigns,
        contacts,
        dashboard,
        feedback,
        journeys,
        loyalty,
        messaging,
        provisioning,
        scale,
        tick,
        webhooks,
    )

    benches = (
        provisioning,
        tick,
        api_throughput,
        contacts,
        messaging,
        appointments,
        scale,
        webhooks,
        loyalty,
        campaigns,
        journeys,
        feedback,
        dashboard,
    )
    names = {bench.__name__.removeprefix("bench.") for bench in benches}
    unknown = set(args.benches) - names
    if unknown:
        parser.error(f"no bench {', '.join(sorted(unknown))} (there are {', '.join(names)})")
    for bench in benches:
        common.smoke_apply(bench)
    failed = []
    for bench in benches:
        if args.benches and bench.__name__.removeprefix("bench.") not in args.benches:
            continue
        section_started = time.perf_counter()
        try:
            common.print_section(bench.run())
        except Exception:
            failed.append(bench.__name__)
            print(f"\n{bench.__name__} failed:", file=sys.stderr)
            traceback.print_exc()
        if args.smoke:
            print(f"  ({time.perf_counter() - section_started:.1f} s)")
    print(f"\nfinished in {time.perf_counter() - started:.0f} s")
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
