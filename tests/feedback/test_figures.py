"""The figures: NPS, CSAT and effort arithmetic on known data (skipped answers never count),
and the daily roll-up they read kept exactly equal to recounting the responses, through
new, changed and skipped answers, erasure, and a rebuild."""

import datetime as dt
import random
from collections import defaultdict

import pytest

from apps.contacts.services.privacy import contact_erase
from apps.feedback.models import Response, ScoreDay, band_for
from apps.feedback.selectors.figures import (
    breakdown,
    score_figures,
    score_summary,
    scores_for,
    trend,
)
from apps.feedback.services.common import business_zone
from apps.feedback.services.responses import response_submit
from apps.feedback.services.rollup import score_days_rebuild
from tests.contacts.factories import ContactFactory
from tests.feedback.factories import InvitationFactory, SurveyFactory
from tests.helpers.clock import local, today

pytestmark = pytest.mark.django_db


def _answer(survey, score, *, at, staff_id=None, service_id=None, channel="web", contact=None):
    invitation = InvitationFactory(
        survey=survey,
        contact=contact or ContactFactory(),
        staff_id=staff_id,
        service_id=service_id,
        send_at=at - dt.timedelta(hours=1),
        sent_at=at - dt.timedelta(hours=1),
        expires_at=at + dt.timedelta(days=14),
    )
    response_submit(invitation=invitation, score=score, channel=channel, now=at)
    return invitation


def _period(zone):
    day = today(zone)
    since = dt.datetime.combine(day - dt.timedelta(days=59), dt.time(), zone)
    until = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)
    return since, until


def test_nps_csat_and_effort_on_known_answers_skipping_the_skipped(tenant, owner):
    zone = business_zone()
    at = local(today(zone) - dt.timedelta(days=3), 11, 0, zone)
    nps, csat, ces = (
        SurveyFactory(kind="nps"),
        SurveyFactory(kind="csat"),
        SurveyFactory(kind="ces"),
    )
    for score in (10, 9, 8, 6, None):
        _answer(nps, score, at=at)
    for score in (5, 4, 3, 1, None):
        _answer(csat, score, at=at)
    for score in (2, 3, 7, None):
        _answer(ces, score, at=at)
    since, until = _period(zone)
    scores = scores_for(since=since, until=until)
    assert scores.nps == 25.0  # (2 promoters - 1 detractor) / 4
    assert scores.csat == 50.0  # 2 of 4 gave 4 or 5
    assert scores.effort == 4.0  # (2 + 3 + 7) / 3
    assert scores_for(since=since, until=until, survey_id=nps.pk).csat is None
    (month,) = trend(since=since, until=until, by="month")
    assert month["answers"] == 11


def test_no_answers_gives_no_figures_not_zero(tenant, owner):
    since, until = _period(business_zone())
    scores = scores_for(since=since, until=until)
    assert (scores.nps, scores.csat, scores.effort) == (None, None, None)
    assert trend(since=since, until=until) == []


def _recount(zone, since, until):
    """The figures computed from the responses themselves, row by row."""
    first, last = since.astimezone(zone).date(), until.astimezone(zone).date()
    rows = [
        r
        for r in Response.objects.all()
        if r.score is not None and first <= r.created.astimezone(zone).date() < last
    ]

    def figures(subset):
        def of(kind):
            return [r.score for r in subset if r.kind == kind]

        nps, csat, ces = of("nps"), of("csat"), of("ces")
        return score_figures(
            nps=(sum(s >= 9 for s in nps), sum(s <= 6 for s in nps), len(nps)),
            csat=(sum(s >= 4 for s in csat), len(csat)),
            effort=(sum(ces), len(ces)),
        )

    by_staff = defaultdict(list)
    for r in rows:
        by_staff[r.staff_id].append(r)
    return (
        figures(rows),
        {k: (len(v), figures(v)) for k, v in by_staff.items()},
    )


def _roll_up_keys():
    return sorted(
        ScoreDay.objects.filter(answers__gt=0).values_list(
            "day",
            "survey_id",
            "kind",
            "staff_id",
            "service_id",
            "channel",
            "band",
            "answers",
            "score_sum",
        )
    )


def test_the_roll_up_equals_recounting_the_responses_on_random_answers(tenant, owner):
    rng = random.Random(20261207)
    zone = business_zone()
    surveys = [SurveyFactory(kind=kind) for kind in ("nps", "csat", "ces")]
    scales = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
    invitations = []
    for _n in range(45):
        survey = rng.choice(surveys)
        day = today(zone) - dt.timedelta(days=rng.randint(0, 70))
        # minutes around local midnight too: the day is the business's, not UTC's
        at = local(day, rng.choice([0, 9, 13, 23]), rng.choice([0, 5, 59]), zone)
        low, high = scales[survey.kind]
        score = None if rng.random() < 0.15 else rng.randint(low, high)
        invitation = _answer(
            survey,
            score,
            at=at,
            staff_id=rng.choice([None, 1, 2, 3]),
            service_id=rng.choice([None, 7, 8]),
            channel=rng.choice(["web", "email", "sms"]),
        )
        invitations.append((invitation, at, low, high))
    # changed answers: to another score, to a skip, from a skip back to a score
    for invitation, at, low, high in rng.sample(invitations, 15):
        for minutes in (5, 10):
            score = None if rng.random() < 0.2 else rng.randint(low, high)
            response_submit(
                invitation=invitation, score=score, now=at + dt.timedelta(minutes=minutes)
            )
    for invitation, *_rest in rng.sample(invitations, 5):
        contact_erase(contact=invitation.contact, actor=owner)

    since, until = _period(zone)
    expected, expected_staff = _recount(zone, since, until)
    scores = scores_for(since=since, until=until)
    assert (scores.nps, scores.csat, scores.effort) == expected
    staff = {
        row["key"]: (row["answers"], (row["nps"], row["csat"], row["effort"]))
        for row in breakdown(since=since, until=until, by="staff")
    }
    assert staff == expected_staff
    assert sum(p["answers"] for p in trend(since=since, until=until, by="week")) == sum(
        n for n, _f in expected_staff.values()
    )
    # the page's one-pass summary says the same as the separate reads
    for by in ("week", "month"):
        summary = score_summary(since=since, until=until, by=by)
        assert summary["totals"] == expected
        assert summary["periods"] == trend(since=since, until=until, by=by)
        for name in ("staff", "service", "channel"):
            assert sorted(summary[name], key=repr) == sorted(
                breakdown(since=since, until=until, by=name), key=repr
            )
    # every day row as a rebuild from the responses would write it
    kept = _roll_up_keys()
    score_days_rebuild()
    assert _roll_up_keys() == kept
    counted = sum(row[7] for row in kept)
    assert counted == Response.objects.filter(score__isnull=False).count()


def test_a_changed_answer_moves_its_count(tenant, owner):
    zone = business_zone()
    at = local(today(zone) - dt.timedelta(days=1), 10, 0, zone)
    invitation = _answer(SurveyFactory(kind="nps"), 2, at=at, staff_id=4)
    response_submit(invitation=invitation, score=10, now=at + dt.timedelta(minutes=3))
    rows = {row.band: row.answers for row in ScoreDay.objects.all()}
    assert rows == {"detractor": 0, "promoter": 1}
    response_submit(invitation=invitation, score=None, now=at + dt.timedelta(minutes=4))
    assert sum(ScoreDay.objects.values_list("answers", flat=True)) == 0
    assert band_for("nps", 10) == "promoter"


def test_recovery_spend_is_each_customers_own_after_their_first_bad_answer(
    tenant, owner, django_assert_max_num_queries
):
    from apps.contacts.services import transaction_record
    from apps.feedback.selectors.figures import recovery_figures

    zone = business_zone()
    since, until = _period(zone)
    day = today(zone)
    nps = SurveyFactory(kind="nps")
    ann, ben, cas = ContactFactory(), ContactFactory(), ContactFactory()
    bad_ann, bad_ben = (
        local(day - dt.timedelta(days=20), 10, 0, zone),
        local(day - dt.timedelta(days=10), 10, 0, zone),
    )
    _answer(nps, 2, at=bad_ann, contact=ann)
    _answer(nps, 9, at=bad_ann + dt.timedelta(days=5), contact=ann)  # recovered
    _answer(nps, 3, at=bad_ben, contact=ben)  # not recovered
    _answer(nps, 10, at=bad_ann, contact=cas)  # never unhappy: in no group

    def buy(contact, at, amount, kind="purchase", refund_of=None):
        return transaction_record(
            contact=contact, amount=amount, occurred_at=at, kind=kind, refund_of=refund_of
        )

    buy(ann, bad_ann - dt.timedelta(days=1), 50)  # before the bad answer: not counted
    bought = buy(ann, bad_ann + dt.timedelta(days=2), 100)
    buy(ann, bad_ann + dt.timedelta(days=3), 30, kind="refund", refund_of=bought)
    buy(ben, bad_ann + dt.timedelta(days=2), 40)  # after Ann's bad answer, before Ben's
    buy(ben, bad_ben + dt.timedelta(hours=1), 20)
    buy(cas, bad_ann + dt.timedelta(days=1), 500)

    with django_assert_max_num_queries(2):
        figures = recovery_figures(since=since, until=until)

    assert (figures["detractors"], figures["recovered"], figures["rate"]) == (2, 1, 50.0)
    groups = {g["group"]: g for g in figures["groups"]}
    assert groups["recovered"]["customers"] == groups["unrecovered"]["customers"] == 1
    assert groups["recovered"]["spend"] == 70
    assert groups["unrecovered"]["spend"] == 20
