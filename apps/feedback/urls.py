from django.urls import path

from .views import cases, home, panels, public, staff

app_name = "feedback"

urlpatterns = [
    # the customer's survey page (no login)
    path("f/<str:token>/", public.survey_page, name="survey_page"),
    path("f/<str:token>/<int:score>/", public.survey_score, name="survey_score"),
    # staff
    path("feedback/", staff.figures, name="figures"),
    path("feedback/surveys/", staff.survey_list_view, name="survey_list"),
    path("feedback/surveys/new/", staff.survey_create_view, name="survey_create"),
    path("feedback/surveys/<int:pk>/", staff.survey_edit_view, name="survey_edit"),
    path("feedback/surveys/<int:pk>/send/", staff.survey_send_view, name="survey_send"),
    path(
        "feedback/surveys/<int:pk>/questions/",
        staff.survey_question_add_view,
        name="survey_question_add",
    ),
    path(
        "feedback/surveys/<int:pk>/questions/<int:question_pk>/remove/",
        staff.survey_question_remove_view,
        name="survey_question_remove",
    ),
    path("feedback/responses/", staff.response_list_view, name="response_list"),
    path("feedback/settings/", staff.settings_view, name="settings"),
    path("feedback/cases/", cases.case_list_view, name="case_list"),
    path("feedback/cases/<int:pk>/", cases.case_detail, name="case_detail"),
    path("feedback/cases/<int:pk>/update/", cases.case_update_view, name="case_update"),
    path("feedback/cases/<int:pk>/resolve/", cases.case_resolve_view, name="case_resolve"),
    path("feedback/home/cases/", home.home_cases, name="home_cases"),
    path("feedback/home/remember/", home.home_remember, name="home_remember"),
    path("feedback/contacts/<int:contact_pk>/", panels.contact_panel, name="contact_panel"),
    path(
        "feedback/contacts/<int:contact_pk>/do-not-survey/",
        panels.do_not_survey_view,
        name="do_not_survey",
    ),
    path("feedback/remember/<int:pk>/honour/", panels.remember_honour_view, name="remember_honour"),
]
