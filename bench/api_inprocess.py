"""One API request through the project's WSGI application in process: no HTTP, no server,
no load generator sharing the two cores. Prints microseconds per request, the best of
several rounds, which is steadier than requests per second on a shared machine.

Run by bench/api_throughput.py as `python -m bench.api_inprocess` with
DJANGO_SETTINGS_MODULE set to the settings of the server measured, BENCH_HOST and, for the
tenant API, BENCH_AUTHORIZATION.
"""

from __future__ import annotations

import io
import os
import time

ROUNDS = 7
REQUESTS = 2000
WARMUP = 300
SMOKE = {"ROUNDS": 1, "REQUESTS": 20, "WARMUP": 5}


def main() -> None:
    import sys

    import django

    from bench.common import smoke_apply

    smoke_apply(sys.modules[__name__])

    django.setup(set_prefix=False)
    from bench.api_throughput import PATH
    from cxsuite.lib.wsgi import split_application

    application = split_application()  # as cxsuite.wsgi builds it for gunicorn
    host = os.environ["BENCH_HOST"]
    base = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": PATH,
        "QUERY_STRING": "",
        "SERVER_NAME": host,
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host,
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
    }
    if os.environ.get("BENCH_AUTHORIZATION"):
        base["HTTP_AUTHORIZATION"] = os.environ["BENCH_AUTHORIZATION"]
    statuses: list[str] = []

    def start_response(status, headers, exc_info=None):
        statuses.append(status)

    def one() -> None:
        b"".join(application({**base, "wsgi.input": io.BytesIO()}, start_response))

    for _ in range(WARMUP):
        one()
    if not statuses[-1].startswith("200"):
        raise SystemExit(f"unexpected answer: {statuses[-1]}")
    best = float("inf")
    for _round in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(REQUESTS):
            one()
        best = min(best, (time.perf_counter() - started) / REQUESTS)
    print(f"{best * 1e6:.1f}")


if __name__ == "__main__":
    main()
