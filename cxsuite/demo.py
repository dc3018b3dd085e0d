"""`make demo`'s last step: run web + worker + beat (honcho), print the URL and login once the
web process answers, and stop the embedded database when the demo is stopped (Ctrl-C)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# The demo business that `manage.py seed_demo` creates.
DEMO = {
    "name": "Bright Smile Dental",
    "slug": "bright-smile",
    "owner_name": "Maya Patel",
    "owner_email": "maya@brightsmile.example",
    "owner_password": "smile-demo-2026",
    "time_zone": "America/Chicago",
    "country": "US",
}


def _wait_for_web(port: str, proc: subprocess.Popen, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/healthz", headers={"Host": f"localhost:{port}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=2):
                return True
        except Exception:
            time.sleep(0.5)
    return False


def main() -> int:
    port = os.environ.get("PORT", "8000")
    honcho = [str(BASE_DIR / ".venv/bin/honcho"), "start", "-f", "Procfile", "-p", port]
    env = {
        **os.environ,
        "PATH": f"{BASE_DIR / '.venv/bin'}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    proc = subprocess.Popen(honcho, cwd=BASE_DIR, env=env)
    stopped = []

    def forward(signum, frame) -> None:
        stopped.append(signum)
        proc.send_signal(signum)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    if _wait_for_web(port, proc):
        line = "=" * 72
        print(
            f"\n{line}\n  CX Suite is running.\n\n"
            f"  Bright Smile Dental:  http://{DEMO['slug']}.localhost:{port}/\n"
            f"  Login:                {DEMO['owner_email']}\n"
            f"  Password:             {DEMO['owner_password']}\n\n"
            f"  Sign up another business: http://localhost:{port}/signup/\n"
            f"  API docs:                 http://{DEMO['slug']}.localhost:{port}/api/docs/\n"
            f"  Stop with Ctrl-C.\n{line}\n",
            flush=True,
        )
    status = proc.wait()
    if not os.environ.get("DATABASE_URL"):
        from cxsuite.embedded import postgres_stop

        postgres_stop()
        print("embedded PostgreSQL stopped", flush=True)
    return 0 if stopped else status  # stopping the demo is not a failure


if __name__ == "__main__":
    sys.exit(main())
