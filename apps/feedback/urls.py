from django.urls import path

from .views import cases, public

app_name = "feedback"

urlpatterns = [
    path("f/<str:token>/", public.survey_page, name="survey_page"),
    path("f/<str:token>/<int:score>/", public.survey_score, name="survey_score"),
    path("feedback/cases/<int:pk>/", cases.case_detail, name="case_detail"),
]
