"""An e-mail backend that stands for a provider whose every call is counted: each e-mail
handed to it adds one line (its Message-ID) to the file CXSUITE_MAIL_JOURNAL names, written
at once, so the line outlives a worker killed right after. It can tell which messages it
received (`received`), as a provider with idempotency keys can. CXSUITE_MAIL_JOURNAL_DELAY
(seconds) makes each call that slow, so a test can kill a worker while it hands a chunk over."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend

ENV = "CXSUITE_MAIL_JOURNAL"


def journal_lines(path: str | Path) -> list[str]:
    try:
        return Path(path).read_text().split()
    except FileNotFoundError:
        return []


class JournalEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        delay = float(os.environ.get(f"{ENV}_DELAY") or 0)
        path = os.environ[ENV]
        for message in email_messages:
            time.sleep(delay)
            line = f"{message.extra_headers.get('Message-ID', '')}\n".encode()
            descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(descriptor, line)
            finally:
                os.close(descriptor)
        return len(email_messages)

    def received(self, message_ids: list[str]) -> set[str]:
        wanted = set(message_ids)
        return {line for line in journal_lines(os.environ[ENV]) if line in wanted}
