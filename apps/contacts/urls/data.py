"""Contact data in and out: CSV import and export, privacy (JSON export, erase), duplicates."""

from django.urls import path

from ..views import data as views

urlpatterns = [
    path("contacts/import/", views.import_upload_view, name="import_upload"),
    path("contacts/import/<int:pk>/", views.import_detail, name="import_detail"),
    path("contacts/import/<int:pk>/mapping/", views.import_mapping, name="import_mapping"),
    path("contacts/export/", views.contact_export, name="contact_export"),
    path(
        "contacts/<int:pk>/privacy/export/",
        views.contact_privacy_export,
        name="contact_privacy_export",
    ),
    path("contacts/<int:pk>/erase/", views.contact_erase_view, name="contact_erase"),
    path("contacts/duplicates/", views.duplicate_list, name="duplicate_list"),
    path("contacts/duplicates/merge/", views.duplicate_merge, name="duplicate_merge"),
]
