"""`make demo` starts clean every time: killed with SIGKILL, its launcher takes its processes
along; a new start stops a demo still running, gets past a stale pidfile, and names a
foreign process holding the port. Every process gets PUBLIC_PORT, the web process's port.

The launcher runs for real (honcho, the watcher, the pidfile) with a stub Procfile: a web
process answering /healthz and two sleepers for worker and beat, which report their
environment. Starting gunicorn and Celery against a seeded database would add half a minute
per start and test nothing more about stopping them: they are found by the same token.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cxsuite.demo import processes_with_token

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc")

ROOT = Path(__file__).resolve().parent.parent
WEB = (
    "import http.server, os\n"
    "class H(http.server.BaseHTTPRequestHandler):\n"
    "    def do_GET(self):\n"
    "        self.send_response(200); self.end_headers(); self.wfile.write(b'ok')\n"
    "    def log_message(self, *a): pass\n"
    "http.server.HTTPServer(('127.0.0.1', int(os.environ['PORT'])), H).serve_forever()\n"
)
SLEEPER = (
    "import json, os, sys, time\n"
    "open(os.path.join(sys.argv[1], sys.argv[2] + '.json'), 'w').write(json.dumps("
    "{'PORT': os.environ['PORT'], 'PUBLIC_PORT': os.environ.get('PUBLIC_PORT')}))\n"
    "time.sleep(600)\n"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def stub(tmp_path):
    (tmp_path / "web.py").write_text(WEB)
    (tmp_path / "sleeper.py").write_text(SLEEPER)
    python = sys.executable
    (tmp_path / "Procfile").write_text(
        f"web: {python} {tmp_path / 'web.py'}\n"
        f"worker: {python} {tmp_path / 'sleeper.py'} {tmp_path} worker\n"
        f"beat: {python} {tmp_path / 'sleeper.py'} {tmp_path} beat\n"
    )
    return tmp_path


def _start(stub: Path, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "PORT": str(port),
        "DATA_DIR": str(stub / "data"),
        "CXSUITE_DEMO_PROCFILE": str(stub / "Procfile"),
        "DATABASE_URL": os.environ.get("DATABASE_URL") or "postgresql://unused/none",
    }
    env.pop("PUBLIC_PORT", None)
    log = open(stub / f"launcher-{time.monotonic_ns()}.log", "w")  # noqa: SIM115
    return subprocess.Popen(
        [sys.executable, "-m", "cxsuite.demo"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # the test's own signals stay away from it
    )


def _until(check, timeout: float = 15.0, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _running(stub: Path, launcher: subprocess.Popen) -> str:
    """Wait until the demo's web, worker and beat run; returns its token."""
    pidfile = stub / "data" / "demo.pid"

    def ready():
        if launcher.poll() is not None:
            raise AssertionError(f"the launcher exited with {launcher.returncode}")
        try:
            record = json.loads(pidfile.read_text())
        except (OSError, ValueError):
            return ""
        if record["pid"] != launcher.pid:
            return ""
        found = (stub / "worker.json").exists() and (stub / "beat.json").exists()
        return record["token"] if found and len(processes_with_token(record["token"])) >= 4 else ""

    return _until(ready, what="the demo to run")


def test_a_killed_demo_takes_its_processes_along_and_the_next_one_starts(stub):
    port = _free_port()
    first = _start(stub, port)
    token = _running(stub, first)
    worker = json.loads((stub / "worker.json").read_text())
    assert worker["PUBLIC_PORT"] == str(port) and worker["PORT"] != str(port)
    assert json.loads((stub / "beat.json").read_text())["PUBLIC_PORT"] == str(port)

    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    _until(lambda: not processes_with_token(token), what="the demo's processes to stop")

    # a stale pidfile (its launcher is gone) does not stop the next start
    for name in ("worker.json", "beat.json"):
        (stub / name).unlink()
    (stub / "data").mkdir(exist_ok=True)
    (stub / "data" / "demo.pid").write_text(json.dumps({"pid": first.pid, "token": token}))
    second = _start(stub, port)
    second_token = _running(stub, second)

    # a new start while one runs stops the running one first
    for name in ("worker.json", "beat.json"):
        (stub / name).unlink()
    third = _start(stub, port)
    assert second.wait(timeout=20) == 0
    third_token = _running(stub, third)
    assert not processes_with_token(second_token)

    third.send_signal(signal.SIGTERM)  # Ctrl-C's way out: everything stops, the pidfile goes
    assert third.wait(timeout=20) == 0
    _until(lambda: not processes_with_token(third_token), what="the last demo to stop")
    assert not (stub / "data" / "demo.pid").exists()


def test_a_port_held_by_another_program_is_named(stub):
    with socket.socket() as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind(("0.0.0.0", 0))
        holder.listen()
        launcher = _start(stub, holder.getsockname()[1])
        assert launcher.wait(timeout=20) == 1
    log = next(stub.glob("launcher-*.log")).read_text()
    assert f"is taken by pid {os.getpid()}" in log
