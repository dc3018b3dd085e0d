"""The interface every SMS, voice and email provider implements."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..models import Message


@dataclass(frozen=True)
class SendResult:
    """What a provider made of one message: its id there, or the error and whether a retry
    may help (timeouts and server errors are transient; a refused number is not)."""

    provider_message_id: str = ""
    ok: bool = True
    error: str = ""
    transient: bool = False


class Provider:
    """Sends one rendered message on its channel."""

    kind = ""

    def send(
        self,
        message: Message,
        *,
        headers: dict[str, str] | None = None,
        html: str | None = None,
        attachments: list[tuple[str, bytes, str]] | None = None,
    ) -> SendResult:
        """`attachments` are (filename, content, mimetype); channels without files ignore them."""
        raise NotImplementedError

    def received(self, message_ids: list[int]) -> set[int] | None:
        """Which of these messages (by id, the idempotency key every call carries) the provider
        has received, for messages whose worker died between handing them over and recording
        it; None when the provider cannot tell. A provider that can tell is handed a claimed
        chunk at a time; one that cannot, one message at a time (see services.sending)."""
        return None

    @property
    def can_tell(self) -> bool:
        return type(self).received is not Provider.received

    @contextmanager
    def session(self) -> Iterator[Provider]:
        """The provider for sending many messages in a row (one connection, what every message
        shares read once); by default the provider itself."""
        yield self
