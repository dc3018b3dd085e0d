"""The whole project (both middleware stacks, tenant routing, static files) served on a free
port of this machine by threads of the test process, against the test database: browsers and
HTTP clients see committed data only."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

from cxsuite.lib.wsgi import split_application


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextmanager
def live_server() -> Iterator[int]:
    """Serve until the block ends; yields the port (call with the database unblocked)."""
    server = ThreadedWSGIServer(("127.0.0.1", 0), _QuietHandler, allow_reuse_address=True)
    server.set_app(split_application())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        _close_server_connections()


def _close_server_connections() -> None:
    """End the database sessions the server's request threads left open (keep-alive)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
