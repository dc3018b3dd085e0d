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

    @contextmanager
    def session(self) -> Iterator[Provider]:
        """The provider for sending many messages in a row (one connection, what every message
        shares read once); by default the provider itself."""
        yield self
