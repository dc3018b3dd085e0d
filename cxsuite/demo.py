"""`make demo`'s last step: run web + worker + beat (honcho), print the URL and login once the
web process answers, and stop everything it started, the embedded database included, however
the demo ends: Ctrl-C, a closed terminal, or `kill -9`.

How nothing is left behind:
- every process of the demo carries `CXSUITE_DEMO_TOKEN` in its environment, so the ones
  still running can be found and stopped even after the launcher is gone;
- honcho gets PR_SET_PDEATHSIG (Linux): it is told SIGTERM if the launcher dies, and stops
  its own processes; the launcher asks the same for itself about `make`;
- a small watcher in its own session waits for the launcher to end, however it ends, then
  stops what carries the token and the embedded database (when the demo started it);
- `.data/demo.pid` names the running demo: a new `make demo` stops the previous one first,
  and names the process holding the port when that is not a demo of ours.

Every process is given PUBLIC_PORT (the web port), so links the worker builds point at the web
process, not at honcho's per-process PORT.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
TOKEN_VAR = "CXSUITE_DEMO_TOKEN"
WATCHER_VAR = "CXSUITE_DEMO_WATCHER"
STOP_GRACE_SECONDS = 8.0

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


def _data_dir() -> Path:
    return Path(os.environ.get("DATA_DIR") or BASE_DIR / ".data")


def pidfile_path() -> Path:
    return _data_dir() / "demo.pid"


# --- processes ---------------------------------------------------------------------------------
def _die_with_parent() -> None:
    """PR_SET_PDEATHSIG: SIGTERM when the parent dies (Linux; elsewhere the watcher covers it)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie has exited: it only waits for its parent to read its status
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def processes_with_token(token: str, *, var: str = TOKEN_VAR) -> list[int]:
    """The processes whose environment carries this demo's token (via /proc)."""
    needle = f"{var}={token}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def processes_stop(token: str, *, grace: float = STOP_GRACE_SECONDS) -> int:
    """SIGTERM every process of the demo, SIGKILL what is left after `grace`; returns how many
    there were."""
    pids = processes_with_token(token)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
        time.sleep(0.1)
    for pid in processes_with_token(token):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    return len(pids)


def _database_stop() -> None:
    if os.environ.get("DATABASE_URL"):
        return  # not ours: a server the machine runs
    from cxsuite.embedded import postgres_stop

    if postgres_stop():
        print("embedded PostgreSQL stopped", flush=True)


def port_holder(port: int) -> str:
    """Who listens on the port, as "pid 123 (gunicorn ...)", or '' when nobody we can see."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(fields[9])
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in (entry / "fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                    return f"pid {entry.name} ({command.strip()[:120]})"
    return ""


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


# --- the previous demo -------------------------------------------------------------------------
def previous_stop() -> None:
    """Stop a demo that is still running (or the processes a killed one left behind), as named
    by the pidfile; a stale pidfile is only removed."""
    path = pidfile_path()
    try:
        previous = json.loads(path.read_text())
    except (OSError, ValueError):
        return
    pid, token = int(previous.get("pid", 0)), str(previous.get("token", ""))
    if pid and _alive(pid) and _is_demo(pid):
        print(f"stopping the demo still running (pid {pid})", flush=True)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS + 2
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.1)
    if token and processes_stop(token):
        print("stopped what the previous demo left running", flush=True)
    deadline = time.monotonic() + STOP_GRACE_SECONDS  # its watcher may be stopping the database
    while token and time.monotonic() < deadline and processes_with_token(token, var=WATCHER_VAR):
        time.sleep(0.1)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    if not os.environ.get("DATABASE_URL"):  # the previous demo stopped the shared database
        from cxsuite.embedded import postgres_socket_dir

        postgres_socket_dir()


def _is_demo(pid: int) -> bool:
    """Whether the pid is still a demo launcher (not a reused pid)."""
    try:
        return b"cxsuite.demo" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


# --- the watcher -------------------------------------------------------------------------------
def watch(launcher: int, token: str) -> int:
    """Wait for the launcher to end, however it ends, then stop what it left running."""
    try:
        fd = os.pidfd_open(launcher)
    except (AttributeError, OSError):
        fd = None
    while _alive(launcher):
        if fd is not None:
            select.select([fd], [], [], 5)
        else:
            time.sleep(0.2)
    processes_stop(token)
    if os.environ.get("CXSUITE_DEMO_STOPS_DATABASE") == "1":
        _database_stop()
    path = pidfile_path()
    with contextlib.suppress(OSError, ValueError):
        if json.loads(path.read_text()).get("token") == token:
            path.unlink()
    return 0


# --- the demo ----------------------------------------------------------------------------------
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


def _honcho() -> list[str]:
    found = shutil.which("honcho", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "honcho"]


def main() -> int:
    _die_with_parent()  # `make` killed: stop like Ctrl-C
    port = os.environ.get("PORT", "8000")
    previous_stop()
    if not _port_free(int(port)):
        holder = port_holder(int(port)) or "another program"
        print(f"port {port} is taken by {holder}; stop it or run with PORT=...", file=sys.stderr)
        return 1
    token = uuid.uuid4().hex
    path = pidfile_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"pid": os.getpid(), "token": token, "port": port}))
    stops_database = not os.environ.get("DATABASE_URL")
    watcher_env = {
        **os.environ,
        WATCHER_VAR: token,
        "CXSUITE_DEMO_STOPS_DATABASE": "1" if stops_database else "0",
    }
    subprocess.Popen(  # its own session: a closed terminal or kill -9 of the launcher spares it
        [sys.executable, "-m", "cxsuite.demo", "--watch", str(os.getpid()), token],
        cwd=BASE_DIR,
        env=watcher_env,
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    procfile = os.environ.get("CXSUITE_DEMO_PROCFILE", str(BASE_DIR / "Procfile"))
    env = {
        **os.environ,
        TOKEN_VAR: token,
        "PUBLIC_PORT": os.environ.get("PUBLIC_PORT", port),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    proc = subprocess.Popen(
        [*_honcho(), "start", "-f", procfile, "-d", str(BASE_DIR), "-p", port],
        cwd=BASE_DIR,
        env=env,
        preexec_fn=_die_with_parent,
    )
    stopped = []

    def forward(signum, frame) -> None:
        stopped.append(signum)
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGINT if signum == signal.SIGHUP else signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, forward)
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
    processes_stop(token)  # anything honcho did not take down with it
    if stops_database:
        _database_stop()
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    return 0 if stopped else status  # stopping the demo is not a failure


def stop() -> int:
    """`make demo-stop`: stop a running demo (or its leftovers) and the embedded database."""
    previous_stop()
    _database_stop()
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--watch":
        sys.exit(watch(int(sys.argv[2]), sys.argv[3]))
    if sys.argv[1:] == ["--stop"]:
        sys.exit(stop())
    sys.exit(main())
