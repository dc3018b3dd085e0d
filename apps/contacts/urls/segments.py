"""Segment pages: the list, the builder (new and existing), its htmx fragments, static lists."""

from django.urls import path

from ..views import segments as views

urlpatterns: list = [
    path("segments/", views.segment_list_view, name="segment_list"),
    path("segments/new/", views.segment_create_view, name="segment_create"),
    path("segments/preview/", views.segment_preview, name="segment_preview"),
    path("segments/rule-row/", views.segment_rule_row, name="segment_rule_row"),
    path("segments/rule-group/", views.segment_rule_group, name="segment_rule_group"),
    path("segments/rule-removed/", views.segment_rule_removed, name="segment_rule_removed"),
    path("segments/<int:pk>/", views.segment_detail_view, name="segment_detail"),
    path("segments/counts/", views.segment_member_counts, name="segment_counts"),
    path("segments/<int:pk>/count/", views.segment_member_count, name="segment_count"),
    path("segments/<int:pk>/delete/", views.segment_delete_view, name="segment_delete"),
    path(
        "segments/<int:pk>/members/add/", views.segment_member_add_view, name="segment_member_add"
    ),
    path(
        "segments/<int:pk>/members/remove/",
        views.segment_member_remove_view,
        name="segment_member_remove",
    ),
]
