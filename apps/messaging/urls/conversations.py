"""A conversation with one contact, its composer, and the contact page's "Messages" card."""

from django.urls import path

from ..views import conversations as views

urlpatterns = [
    path("messages/conversations/<int:contact_pk>/", views.conversation, name="conversation"),
    path(
        "messages/conversations/<int:contact_pk>/send/",
        views.conversation_send_view,
        name="conversation_send",
    ),
    path(
        "messages/conversations/<int:contact_pk>/card/",
        views.contact_messages,
        name="contact_messages",
    ),
]
