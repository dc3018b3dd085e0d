"""Webhook writes, re-exported: endpoints (subscriptions and their secrets), deliveries (the
timeline subscriber, sending, retries, replays) and the privacy eraser."""

from .deliveries import (
    webhook_deliveries_send,
    webhook_delivery_create_for,
    webhook_delivery_replay,
    webhook_endpoint_replay,
    webhooks_on_events,
)
from .endpoints import (
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_disable,
    webhook_endpoint_enable,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_update,
    webhook_secrets_valid,
)

__all__ = [
    "webhook_deliveries_send",
    "webhook_delivery_create_for",
    "webhook_delivery_replay",
    "webhook_endpoint_create",
    "webhook_endpoint_delete",
    "webhook_endpoint_disable",
    "webhook_endpoint_enable",
    "webhook_endpoint_replay",
    "webhook_endpoint_rotate_secret",
    "webhook_endpoint_update",
    "webhook_secrets_valid",
    "webhooks_on_events",
]
