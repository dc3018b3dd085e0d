from django.urls import path

from . import views

app_name = "journeys"

urlpatterns = [
    path("journeys/", views.journey_list, name="journey_list"),
    path("journeys/offers/", views.offer_list, name="offer_list"),
    path("journeys/offers/<int:pk>/", views.offer_detail, name="offer_detail"),
    path("journeys/<int:pk>/", views.journey_detail, name="journey_detail"),
    path("journeys/<int:pk>/settings/", views.journey_settings, name="journey_settings"),
    path("journeys/<int:pk>/steps/", views.journey_step_save, name="journey_step_save"),
    path("journeys/<int:pk>/step-fields/", views.journey_step_fields, name="journey_step_fields"),
    path(
        "journeys/<int:pk>/steps/<slug:step_id>/",
        views.journey_step_move,
        name="journey_step_move",
    ),
    path("journeys/<int:pk>/state/", views.journey_state, name="journey_state"),
    path("journeys/<int:pk>/test/", views.journey_test, name="journey_test"),
    path("journeys/<int:pk>/figures/", views.journey_figures, name="journey_figures"),
    path("journeys/<int:pk>/enrollments/", views.enrollment_list, name="enrollment_list"),
    path("journeys/enrollments/<int:pk>/", views.enrollment_detail, name="enrollment_detail"),
    path("contacts/<int:contact_pk>/journeys/", views.contact_journeys, name="contact_journeys"),
]
