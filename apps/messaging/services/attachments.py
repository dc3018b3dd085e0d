"""Files that go with an e-mail, chosen by what the message is about.

Messaging knows nothing of appointments or invoices: an app registers a builder for the
`related_type` it passes to `message_send` (in its `AppConfig.ready()`), and delivery asks for
the files of each e-mail:

    attachment_builders.register("appointment", appointment_invite_attachments)
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ..registries import Attachment, attachment_builders

if TYPE_CHECKING:
    from ..models import Message

logger = logging.getLogger(__name__)


def attachments_for(message: Message) -> list[Attachment]:
    """The files to attach to this message (none when nobody registered its type).

    A builder that fails costs the attachment, not the e-mail: a confirmation without its
    calendar file is better than no confirmation.
    """
    builder = attachment_builders.get(message.related_type or "")
    if builder is None:
        return []
    try:
        return [tuple(item) for item in builder(message) or []]  # type: ignore[misc]
    except Exception:
        logger.exception("attachments of message %s not built", message.pk)
        return []
