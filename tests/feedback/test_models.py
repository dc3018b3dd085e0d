import pytest
from django.db import IntegrityError, transaction

from apps.feedback.models import Band, band_for
from tests.feedback.factories import InvitationFactory, SurveyFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "score", "band"),
    [
        ("nps", 0, Band.DETRACTOR),
        ("nps", 6, Band.DETRACTOR),
        ("nps", 7, Band.PASSIVE),
        ("nps", 8, Band.PASSIVE),
        ("nps", 9, Band.PROMOTER),
        ("csat", 1, Band.DETRACTOR),
        ("csat", 2, Band.DETRACTOR),
        ("csat", 3, Band.PASSIVE),
        ("csat", 4, Band.PROMOTER),
        ("ces", 7, Band.DETRACTOR),
        ("ces", 5, Band.DETRACTOR),
        ("ces", 4, Band.PASSIVE),
        ("ces", 2, Band.PROMOTER),
    ],
)
def test_bands_follow_each_kind(kind, score, band):
    assert band_for(kind, score) == band


def test_one_invitation_per_survey_and_visit(tenant):
    survey = SurveyFactory()
    InvitationFactory(survey=survey, appointment_id=7)
    with pytest.raises(IntegrityError), transaction.atomic():
        InvitationFactory(survey=survey, appointment_id=7)


def test_a_dropped_invitation_says_why(tenant):
    with pytest.raises(IntegrityError), transaction.atomic():
        InvitationFactory(status="dropped", drop_reason="")
    with pytest.raises(IntegrityError), transaction.atomic():
        InvitationFactory(status="sent", drop_reason="cooldown")


def test_survey_kind_is_checked(tenant):
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyFactory(kind="stars", texts={})
