"""The whole project (both middleware stacks, tenant routing, static files) served on a free
port of this machine by threads of the test process, against the test database: browsers and
HTTP clients see committed data only."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.db import connection, connections

from cxsuite.lib.wsgi import split_application


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextmanager
def live_server(*, end_other_sessions: bool = False) -> Iterator[int]:
    """Serve until the block ends; yields the port (call with the database unblocked).

    Afterwards the database sessions the server's threads left open are ended, and with
    `end_other_sessions` every session but this thread's (the browser tests leave one more
    open, which nothing else closes), else only the server's: other fixtures keep theirs."""
    backends: set[int] = set()
    application = split_application()

    def noting_backends(environ, start_response):
        try:
            return application(environ, start_response)
        finally:
            database = connections["default"].connection
            if database is not None:
                backends.add(database.info.backend_pid)
            # Each request runs in a thread of its own that no later request reuses: its
            # database session ends with it (kept, a long browser run would exhaust the
            # server's connections).
            connections.close_all()

    server = ThreadedWSGIServer(("127.0.0.1", 0), _QuietHandler, allow_reuse_address=True)
    server.set_app(noting_backends)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        _sessions_end(None if end_other_sessions else backends)


def _sessions_end(backends: set[int] | None) -> None:
    """End these sessions (None: all but this thread's). A request thread waiting on a
    keep-alive connection holds its session open after the server stops."""
    only = "" if backends is None else "AND pid = ANY(%s)"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = current_database() AND pid <> pg_backend_pid() {only}",
            [] if backends is None else [sorted(backends)],
        )
