"""The segment conditions appointments registers (no-shows, last visit, next appointment
booked): members against hand-built data, including contacts that must not match, through the
rule language, the builder and the API; one query for a count."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from apps.appointments.models import AppointmentStatus as S
from apps.contacts.registries import segment_conditions
from apps.contacts.selectors.segments import rules_members
from tests.appointments.factories import AppointmentFactory
from tests.conftest import alpha
from tests.contacts.factories import ContactFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
SEGMENTS = "/api/v1/segments/"
pytestmark = pytest.mark.django_db


def _visit(contact, *, days: float, status: str = S.COMPLETED, **extra):
    """An appointment of `contact` starting `days` from now (negative: in the past)."""
    starts = timezone.now() + dt.timedelta(days=days)
    return AppointmentFactory(contact=contact, starts_at=starts, status=status, **extra)


def _clinic() -> dict:
    """Five patients whose histories tell the conditions apart."""
    ada, ben, cleo, dan, eve = (
        ContactFactory(first_name=name) for name in ("Ada", "Ben", "Cleo", "Dan", "Eve")
    )
    # Ada: three no-shows (one last week, which is no visit), last came 200 days ago
    for days in (-5, -90, -300):
        _visit(ada, days=days, status=S.NO_SHOW)
    _visit(ada, days=-200)
    _visit(ada, days=-250)
    # Ben: one no-show, came 10 days ago, confirmed for next week
    _visit(ben, days=-60, status=S.NO_SHOW)
    _visit(ben, days=-10)
    _visit(ben, days=5, status=S.CONFIRMED)
    # Cleo: never came; an online request for the day after tomorrow awaits approval
    _visit(cleo, days=2, status=S.BOOKED, awaiting_approval=True)
    _visit(cleo, days=-3, status=S.CANCELLED)
    # Dan: came 400 days ago; his next booking was cancelled, and the one that began ten
    # minutes ago (still "booked", in the chair now) is no *next* appointment
    _visit(dan, days=-400)
    _visit(dan, days=4, status=S.CANCELLED)
    _visit(dan, days=-10 / (24 * 60), status=S.BOOKED)
    _visit(dan, days=-1, status=S.CHECKED_IN)  # checked in, never completed: no visit
    # Eve: no appointment at all
    return {"ada": ada, "ben": ben, "cleo": cleo, "dan": dan, "eve": eve}


def one(field, cmp, value=None) -> dict:
    condition = {"field": field, "cmp": cmp}
    if value is not None:
        condition["value"] = value
    return {"op": "and", "rules": [condition]}


def names(rules) -> set[str]:
    return set(rules_members(rules).values_list("first_name", flat=True))


CASES = [
    (one("appointments.no_shows", "at_least", 2), {"Ada"}),
    (one("appointments.no_shows", "at_least", 1), {"Ada", "Ben"}),
    (one("appointments.no_shows", "fewer_than", 1), {"Cleo", "Dan", "Eve"}),
    (one("appointments.no_shows", "fewer_than", 3), {"Ben", "Cleo", "Dan", "Eve"}),
    (one("appointments.last_visit", "within", 30), {"Ben"}),
    (one("appointments.last_visit", "within", 210), {"Ada", "Ben"}),
    (one("appointments.last_visit", "not_within", 180), {"Ada", "Dan"}),
    (one("appointments.last_visit", "not_within", 300), {"Dan"}),
    (one("appointments.last_visit", "never"), {"Cleo", "Eve"}),
    (one("appointments.next_booked", "is", True), {"Ben", "Cleo"}),
    (one("appointments.next_booked", "is", "no"), {"Ada", "Dan", "Eve"}),
]


@pytest.mark.parametrize(("rules", "expected"), CASES)
def test_each_condition_matches_exactly_the_right_patients(tenant, rules, expected):
    _clinic()
    assert names(rules) == expected


def test_the_conditions_are_registered_by_appointments():
    assert {"appointments.no_shows", "appointments.last_visit", "appointments.next_booked"} <= set(
        segment_conditions
    )


def test_a_lapsed_patient_segment_counts_in_one_query(tenant, django_assert_num_queries):
    _clinic()
    rules = {
        "op": "and",
        "rules": [
            {"field": "appointments.last_visit", "cmp": "not_within", "value": 180},
            {"field": "appointments.next_booked", "cmp": "is", "value": False},
            {
                "op": "or",
                "rules": [
                    {"field": "appointments.no_shows", "cmp": "fewer_than", "value": 1},
                    {"field": "tags", "cmp": "has_not", "value": "blocked"},
                ],
            },
        ],
    }
    members = rules_members(rules)
    with django_assert_num_queries(1):
        assert members.count() == 2  # Ada and Dan
    for _n in range(10):  # more patients, more appointments: still one query
        _visit(ContactFactory(), days=-365)
    with django_assert_num_queries(1):
        assert members.count() == 12


# --- the builder ---------------------------------------------------------------------------------
def _params(field: str, cmp: str, value: str = "") -> dict:
    return {
        "op": "and",
        "g0-op": "and",
        "g0-r0-field": field,
        "g0-r0-cmp": cmp,
        "g0-r0-value": value,
    }


def _count(body: str) -> int:
    return int(re.search(r"<strong>(\d+)</strong>", body).group(1))


@pytest.mark.parametrize(
    ("field", "cmp", "value", "expected"),
    [
        ("appointments.no_shows", "at_least", "2", ["Ada"]),
        ("appointments.last_visit", "not_within", "180", ["Ada", "Dan"]),
        ("appointments.last_visit", "never", "", ["Cleo", "Eve"]),
        ("appointments.next_booked", "is", "yes", ["Ben", "Cleo"]),
        ("appointments.next_booked", "is", "no", ["Ada", "Dan", "Eve"]),
    ],
)
def test_the_builder_counts_each_condition(staff_client, field, cmp, value, expected):
    with alpha():
        _clinic()
    body = staff_client.get("/segments/preview/", _params(field, cmp, value), **HTMX)
    body = body.content.decode()
    assert _count(body) == len(expected)
    shown = set(re.findall(r"\b(Ada|Ben|Cleo|Dan|Eve)\b", body))
    assert shown == set(expected)


def test_the_builder_offers_the_appointment_conditions(staff_client):
    body = staff_client.get("/segments/new/").content.decode()
    group = re.search(r'<optgroup label="Appointments">(.*?)</optgroup>', body, re.S)
    assert group, "no Appointments group in the field list"
    for key, label in [
        ("appointments.no_shows", "No-shows"),
        ("appointments.last_visit", "Last visit (completed)"),
        ("appointments.next_booked", "Next appointment booked"),
    ]:
        assert f'<option value="{key}">{label}</option>' in group.group(1)
    row = staff_client.get(
        "/segments/rule-row/",
        {"group": "0", "index": "0", "reset": "1", "g0-r0-field": "appointments.next_booked"},
        **HTMX,
    ).content.decode()
    assert '<select name="g0-r0-value"' in row and '<option value="yes"' in row
    row = staff_client.get(
        "/segments/rule-row/",
        {"group": "0", "index": "0", "g0-r0-field": "appointments.last_visit"},
        **HTMX,
    ).content.decode()
    assert '<option value="not_within">not within the last</option>' in row
    assert "days" in row


def test_the_builder_saves_and_reopens_a_segment_of_lapsed_patients(staff_client):
    with alpha():
        _clinic()
    params = {
        "name": "Lapsed",
        **_params("appointments.last_visit", "not_within", "180"),
        "g0-r1-field": "appointments.next_booked",
        "g0-r1-cmp": "is",
        "g0-r1-value": "no",
    }
    response = staff_client.post("/segments/new/", params)
    assert response.status_code == 302
    page = staff_client.get(response.url).content.decode()
    assert '<option value="appointments.last_visit" selected>' in page
    assert 'value="180"' in page
    assert re.search(r'<option value="no" selected>', page)
    count = staff_client.get(f"{response.url}count/", **HTMX).content.decode()
    assert re.search(r">\s*2\s*<", count)


def test_the_builder_names_a_bad_value_at_its_row(staff_client):
    response = staff_client.post(
        "/segments/new/", {"name": "x", **_params("appointments.no_shows", "at_least", "0")}
    )
    assert response.status_code == 200
    assert "Enter a whole number of at least 1." in response.content.decode()


# --- the API -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("rules", "expected"), CASES)
def test_the_api_counts_and_lists_each_condition(api_client, rules, expected):
    with alpha():
        people = _clinic()
    response = api_client.post(SEGMENTS, {"name": "S", "rules": rules}, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert api_client.get(f"{SEGMENTS}{pk}/count/").json() == {"count": len(expected)}
    listed = {row["id"] for row in api_client.get(f"{SEGMENTS}{pk}/members/").json()["results"]}
    assert listed == {people[name.lower()].pk for name in expected}


def test_the_api_count_is_bounded(api_client, django_assert_max_num_queries):
    with alpha():
        _clinic()
    rules = one("appointments.last_visit", "not_within", 180)
    pk = api_client.post(SEGMENTS, {"name": "S", "rules": rules}, format="json").json()["id"]
    # search_path twice, host, key and its last use, the segment, then one COUNT
    with django_assert_max_num_queries(7):
        assert api_client.get(f"{SEGMENTS}{pk}/count/").json() == {"count": 2}


def test_the_api_lists_the_appointment_conditions(read_api_client):
    fields = {row["field"]: row for row in read_api_client.get(f"{SEGMENTS}fields/").json()}
    assert fields["appointments.next_booked"]["comparisons"] == [
        {"cmp": "is", "label": "is", "value": "boolean"}
    ]
    assert [c["cmp"] for c in fields["appointments.last_visit"]["comparisons"]] == [
        "within",
        "not_within",
        "never",
    ]
    assert fields["appointments.no_shows"]["group"] == "Appointments"


def test_the_api_refuses_a_bad_value_naming_the_rule(api_client):
    rules = one("appointments.last_visit", "within", 5000)
    response = api_client.post(SEGMENTS, {"name": "S", "rules": rules}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["rules.0.value"] == [
        "Enter a number of days from 1 to 3650."
    ]
