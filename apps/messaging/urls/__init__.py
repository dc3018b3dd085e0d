"""Messaging pages, one module per area: outbox and log, templates, settings, customer-facing
links (unsubscribe, preferences, tracking) and provider webhooks."""

from . import links, outbox, settings, templates, webhooks

app_name = "messaging"

urlpatterns = [
    *outbox.urlpatterns,
    *templates.urlpatterns,
    *settings.urlpatterns,
    *links.urlpatterns,
    *webhooks.urlpatterns,
]
