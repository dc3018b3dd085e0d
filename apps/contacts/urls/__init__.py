"""Contact pages, one module per area: contacts, segments, import/export and privacy,
settings."""

from . import contacts, data, segments, settings

app_name = "contacts"

urlpatterns = [
    *contacts.urlpatterns,
    *segments.urlpatterns,
    *data.urlpatterns,
    *settings.urlpatterns,
]
