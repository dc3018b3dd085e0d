"""Segment conditions other modules register (`segment_conditions`): the rule language, the
builder and the API take them up with no change to segment_rules.py; a bad declaration is
refused. The probe app's conditions stand in for a module (tests/probe/segments.py)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import Q

from apps.contacts.models import Segment
from apps.contacts.registries import segment_conditions
from apps.contacts.selectors.segment_rules import SegmentCondition, field_catalogue, rules_clean
from apps.contacts.selectors.segments import rules_members
from tests.conftest import alpha
from tests.contacts.factories import ContactFactory, TimelineEventFactory
from tests.probe.segments import DOMAIN, NOTES

HTMX = {"HTTP_HX_REQUEST": "true"}
SEGMENTS = "/api/v1/segments/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def probe_conditions():
    with (
        segment_conditions.override(DOMAIN.key, DOMAIN),
        segment_conditions.override(NOTES.key, NOTES),
    ):
        yield


def one(field, cmp, value=None) -> dict:
    condition = {"field": field, "cmp": cmp}
    if value is not None:
        condition["value"] = value
    return {"op": "and", "rules": [condition]}


def matched(rules) -> set[int]:
    return set(rules_members(rules).values_list("pk", flat=True))


def _people():
    clinic = ContactFactory(first_name="Clara", email="clara@clinic.test", city="Berlin")
    other = ContactFactory(first_name="Otto", email="otto@elsewhere.test", city="Berlin")
    writer = ContactFactory(first_name="Wanda", email="wanda@clinic.test", city="Bonn")
    TimelineEventFactory.create_batch(2, contact=writer, type="note.added")
    TimelineEventFactory(contact=other, type="note.added")
    TimelineEventFactory.create_batch(3, contact=other, type="page.viewed")  # not notes
    return clinic, other, writer


# --- the rule language ---------------------------------------------------------------------------
def test_a_registered_condition_matches_through_the_rule_language(tenant, probe_conditions):
    clinic, other, writer = _people()
    assert matched(one("probe.domain", "at", "Clinic.test")) >= {clinic.pk, writer.pk}
    assert other.pk not in matched(one("probe.domain", "at", "clinic.test"))
    not_at = matched(one("probe.domain", "not_at", "clinic.test"))
    assert other.pk in not_at and not ({clinic.pk, writer.pk} & not_at)
    at_least_two = matched(one("probe.notes", "at_least", 2))
    assert writer.pk in at_least_two and not ({clinic.pk, other.pk} & at_least_two)
    fewer = matched(one("probe.notes", "fewer_than", 2))
    assert {clinic.pk, other.pk} <= fewer and writer.pk not in fewer


def test_registered_and_fixed_conditions_nest_in_one_query(
    tenant, probe_conditions, django_assert_num_queries
):
    clinic, other, writer = _people()
    rules = {
        "op": "or",
        "rules": [
            {
                "op": "and",
                "rules": [
                    {"field": "city", "cmp": "eq", "value": "Berlin"},
                    {"field": "probe.domain", "cmp": "at", "value": "clinic.test"},
                ],
            },
            {"field": "probe.notes", "cmp": "at_least", "value": 2},
        ],
    }
    members = rules_members(rules)
    with django_assert_num_queries(1):
        assert set(members.values_list("pk", flat=True)) == {clinic.pk, writer.pk}
    with django_assert_num_queries(1):
        assert members.count() == 2


def test_a_registered_condition_checks_its_values_like_the_fixed_fields(tenant, probe_conditions):
    rules = {
        "op": "and",
        "rules": [
            {"field": "probe.notes", "cmp": "at_least", "value": "many"},
            {"field": "probe.domain", "cmp": "eq", "value": "clinic.test"},
            {"field": "probe.domain", "cmp": "at", "value": "  "},
            {"field": "probe.notes", "cmp": "fewer_than", "value": " 3 "},
        ],
    }
    with pytest.raises(ValidationError) as info:
        rules_clean(rules)
    errors = info.value.message_dict
    assert errors["rules.0.value"] == ["Enter a whole number of at least 1."]
    assert errors["rules.1.cmp"] == ["Choose a comparison: at, not_at."]
    assert errors["rules.2.value"] == ["Enter a value."]
    assert "rules.3.value" not in errors
    cleaned = rules_clean(one("probe.notes", "fewer_than", " 3 "))
    assert cleaned["rules"] == [{"field": "probe.notes", "cmp": "fewer_than", "value": 3}]


def test_a_condition_nobody_registered_is_an_unknown_field(tenant):
    with pytest.raises(ValidationError) as info:
        rules_clean(one("probe.domain", "at", "clinic.test"))
    assert info.value.message_dict["rules.0.field"] == ["There is no field “probe.domain”."]
    assert "probe.domain" not in field_catalogue([])


# --- declaring one -------------------------------------------------------------------------------
def _declare(**changes) -> SegmentCondition:
    spec = {
        "key": "probe.x",
        "label": "X",
        "group": "Probe",
        "comparisons": {"at_least": "count"},
        "compile": lambda node, now, today: Q(),
    }
    return SegmentCondition(**{**spec, **changes})


def test_a_badly_declared_condition_is_refused_when_it_is_declared():
    with pytest.raises(ImproperlyConfigured, match="unknown kind of value"):
        _declare(comparisons={"at_least": "colour"})
    with pytest.raises(ImproperlyConfigured, match="give 'near' a label"):
        _declare(comparisons={"near": "number"})
    with pytest.raises(ImproperlyConfigured, match="no choices"):
        _declare(comparisons={"eq": "choice"})
    with pytest.raises(ImproperlyConfigured, match="no comparison"):
        _declare(comparisons={})
    near = _declare(comparisons={"near": "number"}, cmp_labels={"near": "is near"})
    assert near.cmp_label("near") == "is near"


def test_a_condition_under_another_key_or_a_taken_key_is_refused(tenant):
    with (
        segment_conditions.override("probe.other", DOMAIN),
        pytest.raises(ImproperlyConfigured, match="registered as 'probe.other'"),
    ):
        field_catalogue([])
    with (
        segment_conditions.override("city", _declare(key="city")),
        pytest.raises(ImproperlyConfigured, match="no other field may use"),
    ):
        field_catalogue([])


# --- the builder ---------------------------------------------------------------------------------
def test_the_builder_offers_a_registered_condition_in_its_group(staff_client, probe_conditions):
    body = staff_client.get("/segments/new/").content.decode()
    group = re.search(r'<optgroup label="Probe">(.*?)</optgroup>', body, re.S)
    assert group and '<option value="probe.domain">Email domain</option>' in group.group(1)
    assert '<option value="probe.notes">Notes written</option>' in group.group(1)
    row = staff_client.get(
        "/segments/rule-row/",
        {"group": "0", "index": "0", "reset": "1", "g0-r0-field": "probe.domain"},
        **HTMX,
    ).content.decode()
    assert '<option value="at" selected>is at</option>' in row
    assert '<option value="not_at">is not at</option>' in row
    assert 'type="text" name="g0-r0-value"' in row
    row = staff_client.get(
        "/segments/rule-row/", {"group": "0", "index": "1", "g0-r1-field": "probe.notes"}, **HTMX
    ).content.decode()
    assert '<option value="at_least" selected>at least</option>' in row
    assert 'type="number" name="g0-r1-value"' in row and "times" in row


def test_the_builder_counts_and_saves_a_registered_condition(staff_client, probe_conditions):
    with alpha():
        clinic, other, writer = _people()
    params = {
        "op": "and",
        "g0-op": "and",
        "g0-r0-field": "probe.domain",
        "g0-r0-cmp": "at",
        "g0-r0-value": "clinic.test",
        "g0-r1-field": "probe.notes",
        "g0-r1-cmp": "fewer_than",
        "g0-r1-value": "1",
    }
    preview = staff_client.get("/segments/preview/", params, **HTMX).content.decode()
    assert "<strong>1</strong>" in preview and "Clara" in preview and "Wanda" not in preview
    response = staff_client.post("/segments/new/", {"name": "Clinic, no notes", **params})
    assert response.status_code == 302
    with alpha():
        segment = Segment.objects.get(name="Clinic, no notes")
    assert segment.rules["rules"][0]["rules"] == [
        {"field": "probe.domain", "cmp": "at", "value": "clinic.test"},
        {"field": "probe.notes", "cmp": "fewer_than", "value": 1},
    ]
    page = staff_client.get(f"/segments/{segment.pk}/").content.decode()
    assert '<option value="probe.notes" selected>Notes written</option>' in page
    count = staff_client.get(f"/segments/{segment.pk}/count/", **HTMX).content.decode()
    assert re.search(r">\s*1\s*<", count)


# --- the API -------------------------------------------------------------------------------------
def test_the_api_lists_and_uses_a_registered_condition(api_client, probe_conditions):
    with alpha():
        clinic, other, writer = _people()
    fields = {row["field"]: row for row in api_client.get(f"{SEGMENTS}fields/").json()}
    assert fields["probe.domain"] == {
        "field": "probe.domain",
        "label": "Email domain",
        "group": "Probe",
        "comparisons": [
            {"cmp": "at", "label": "is at", "value": "text"},
            {"cmp": "not_at", "label": "is not at", "value": "text"},
        ],
        "choices": [],
        "needs": [],
    }
    rules = one("probe.notes", "at_least", 1)
    response = api_client.post(SEGMENTS, {"name": "Noted", "rules": rules}, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert api_client.get(f"{SEGMENTS}{pk}/count/").json() == {"count": 2}
    members = {row["id"] for row in api_client.get(f"{SEGMENTS}{pk}/members/").json()["results"]}
    assert members == {other.pk, writer.pk}
    bad = api_client.post(
        SEGMENTS, {"name": "Bad", "rules": one("probe.notes", "at_least", 0)}, format="json"
    )
    assert bad.status_code == 400 and "rules.0.value" in bad.json()["error"]["fields"]


def test_the_field_list_names_every_kind_of_field(api_client, read_api_client):
    fields = {row["field"]: row for row in read_api_client.get(f"{SEGMENTS}fields/").json()}
    assert {"city", "lifecycle_stage", "event", "purchase.total"} <= set(fields)
    assert fields["event"]["needs"] == ["event_type", "days"]
    assert {"value": "customer", "label": "Customer"} in fields["lifecycle_stage"]["choices"]
    assert "probe.domain" not in fields


def test_the_outsider_key_cannot_read_the_field_list(outsider_api_client):
    assert outsider_api_client.get(f"{SEGMENTS}fields/").status_code == 401
