"""Messaging pages, one module per area: outbox and log, conversations, templates, settings, customer-facing
links (unsubscribe, preferences, tracking, short links in texts) and provider webhooks."""

from . import conversations, links, outbox, settings, templates, webhooks

app_name = "messaging"

urlpatterns = [
    *outbox.urlpatterns,
    *conversations.urlpatterns,
    *templates.urlpatterns,
    *settings.urlpatterns,
    *links.urlpatterns,
    *webhooks.urlpatterns,
]
