"""Messages → Templates: the list, the editor and its live preview."""

from django.urls import path

from ..views import templates as views

urlpatterns = [
    path("messages/templates/", views.template_list, name="template_list"),
    path("messages/templates/edit/", views.template_edit, name="template_edit"),
    path("messages/templates/preview/", views.template_preview, name="template_preview"),
]
