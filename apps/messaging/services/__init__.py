"""Every message to a customer goes through here; one module per sub-domain."""

from .sending import (
    channel_choose,
    message_deliver,
    message_mark,
    message_send,
    message_send_batch,
    message_status_update,
    messages_deferred_drop,
)

__all__ = [
    "channel_choose",
    "message_deliver",
    "message_mark",
    "message_send",
    "message_send_batch",
    "message_status_update",
    "messages_deferred_drop",
]
