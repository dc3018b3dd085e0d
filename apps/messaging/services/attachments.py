"""Files that go with an e-mail, chosen by what the message is about.

Messaging knows nothing of appointments or invoices: an app registers a builder for the
`related_type` it passes to `message_send`, and delivery asks for the files of each e-mail.

    @attachment_builder("appointment")
    def invite(message) -> list[tuple[str, bytes, str]]:
        return [("invite.ics", ics_bytes, "text/calendar; method=PUBLISH")]
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..models import Message

logger = logging.getLogger(__name__)

Attachment = tuple[str, bytes, str]  # (filename, content, mimetype)
Builder = Callable[["Message"], list[Attachment]]

_builders: dict[str, Builder] = {}


def attachment_builder(related_type: str) -> Callable[[Builder], Builder]:
    """Register `fn(message) -> [(filename, bytes, mimetype)]` for messages about
    `related_type` (one builder per type; registering again replaces it)."""

    def register(fn: Builder) -> Builder:
        _builders[related_type] = fn
        return fn

    return register


def attachments_for(message: Message) -> list[Attachment]:
    """The files to attach to this message (none when nobody registered its type).

    A builder that fails costs the attachment, not the e-mail: a confirmation without its
    calendar file is better than no confirmation.
    """
    builder = _builders.get(message.related_type or "")
    if builder is None:
        return []
    try:
        return [tuple(item) for item in builder(message) or []]  # type: ignore[misc]
    except Exception:
        logger.exception("attachments of message %s not built", message.pk)
        return []
