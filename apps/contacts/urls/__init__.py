"""Contact pages, one module per area: contacts, segments, import/export and privacy."""

from . import contacts, data, segments

app_name = "contacts"

urlpatterns = [*contacts.urlpatterns, *segments.urlpatterns, *data.urlpatterns]
