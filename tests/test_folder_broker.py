"""The folder broker writes each message whole before a worker can list it: a reader that
lists the folder while a message is being written never sees a partial file."""

from __future__ import annotations

import os
import threading

from kombu import Connection

from cxsuite.lib.folder_broker import TRANSPORT


def _connection(folder) -> Connection:
    return Connection(
        "filesystem://",
        transport=TRANSPORT,
        transport_options={"data_folder_in": str(folder), "data_folder_out": str(folder)},
    )


def test_a_message_is_never_seen_before_it_is_written_whole(tmp_path):
    big = {"body": "x" * 200_000}  # long enough to be written in several steps
    seen_partial: list[str] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            for name in os.listdir(tmp_path):
                if name.endswith(".msg"):
                    try:
                        size = os.path.getsize(tmp_path / name)
                    except FileNotFoundError:
                        continue
                    if size == 0:
                        seen_partial.append(name)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with _connection(tmp_path) as connection:
            queue = connection.SimpleQueue("q")
            for _ in range(50):
                queue.put(big)
            got = [queue.get(timeout=5) for _ in range(50)]
            for message in got:
                message.ack()
            queue.close()
    finally:
        done.set()
        watcher.join()
    assert seen_partial == []
    assert [m.payload for m in got] == [big] * 50
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".part")]


def test_the_project_uses_it_without_a_broker_daemon():
    from django.conf import settings

    if settings.CELERY_BROKER_URL == "filesystem://":
        assert settings.CELERY_BROKER_TRANSPORT == TRANSPORT
