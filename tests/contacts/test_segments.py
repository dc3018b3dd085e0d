"""Segment rules (each condition kind against contacts that must and must not match), AND/OR
nesting, validation errors naming the rule's path, static lists, and the builder pages."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.contacts.models import (
    ConsentStatus,
    RfmScore,
    Segment,
    SegmentKind,
    SegmentMember,
    Transaction,
    TransactionKind,
)
from apps.contacts.selectors import contact_list
from apps.contacts.selectors.segments import (
    rules_members,
    segment_count,
    segment_members,
)
from apps.contacts.services import (
    segment_create,
    segment_delete,
    segment_members_add,
    segment_members_remove,
    segment_update,
)
from tests.conftest import alpha
from tests.contacts.factories import (
    ContactFactory,
    CustomFieldFactory,
    SegmentFactory,
    TimelineEventFactory,
)

HTMX = {"HTTP_HX_REQUEST": "true"}
pytestmark = pytest.mark.django_db


def one(field, cmp, value=None, **extra):
    condition = {"field": field, "cmp": cmp, **extra}
    if value is not None:
        condition["value"] = value
    return {"op": "and", "rules": [condition]}


def matched(rules) -> set[int]:
    return set(rules_members(rules).values_list("pk", flat=True))


def assert_splits(rules, yes, no):
    found = matched(rules)
    for contact in yes:
        assert contact.pk in found, f"{contact} should match {rules}"
    for contact in no:
        assert contact.pk not in found, f"{contact} should not match {rules}"


def buy(contact, amount, days_ago, kind=TransactionKind.PURCHASE):
    return Transaction.objects.create(
        contact=contact,
        kind=kind,
        amount=Decimal(amount),
        currency="EUR",
        occurred_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def rfm(contact, r, f, m, segment):
    return RfmScore.objects.create(
        contact=contact,
        recency_days=1,
        frequency=1,
        monetary=1,
        r=r,
        f=f,
        m=m,
        segment=segment,
        computed_at=timezone.now(),
    )


# --- contact fields ------------------------------------------------------------------------------
def test_text_field_comparisons_match_case_insensitively(tenant):
    anna = ContactFactory(first_name="Anna", city="Berlin", source="")
    bert = ContactFactory(first_name="Bert", city="Bonn", source="import")
    assert_splits(one("first_name", "eq", "anna"), [anna], [bert])
    assert_splits(one("first_name", "neq", "anna"), [bert], [anna])
    assert_splits(one("city", "contains", "ERL"), [anna], [bert])
    assert_splits(one("city", "starts", "bo"), [bert], [anna])
    assert_splits(one("source", "empty"), [anna], [bert])
    assert_splits(one("source", "not_empty"), [bert], [anna])


def test_email_starts_with_matches_the_stored_lower_case(tenant):
    anna = ContactFactory(email="anna@clinic.test")
    other = ContactFactory(email="bert@elsewhere.test")
    assert_splits(one("email", "starts", "ANNA@"), [anna], [other])


def test_lifecycle_stage_and_choice_fields(tenant):
    lead = ContactFactory(lifecycle_stage="lead", preferred_channel="sms")
    customer = ContactFactory(lifecycle_stage="customer", preferred_channel="email")
    assert_splits(one("lifecycle_stage", "eq", "customer"), [customer], [lead])
    assert_splits(one("lifecycle_stage", "neq", "customer"), [lead], [customer])
    assert_splits(one("preferred_channel", "eq", "sms"), [lead], [customer])


def test_created_before_after_and_within_last_days(tenant):
    old = ContactFactory()
    new = ContactFactory()
    from apps.contacts.models import Contact

    Contact.objects.filter(pk=old.pk).update(created=timezone.now() - dt.timedelta(days=40))
    cutoff = (timezone.now() - dt.timedelta(days=20)).date().isoformat()
    assert_splits(one("created", "within_last", 30), [new], [old])
    assert_splits(one("created", "before", cutoff), [old], [new])
    assert_splits(one("created", "after", cutoff), [new], [old])


def test_birthday_dates_and_upcoming_birthdays_across_the_new_year(tenant):
    today = timezone.localdate()
    soon = ContactFactory(birthday=(today + dt.timedelta(days=5)).replace(year=1990))
    later = ContactFactory(birthday=(today + dt.timedelta(days=60)).replace(year=1985))
    unknown = ContactFactory(birthday=None)
    assert_splits(one("birthday", "within_next", 10), [soon], [later, unknown])
    assert_splits(one("birthday", "within_next", 90), [soon, later], [unknown])
    assert_splits(one("birthday", "empty"), [unknown], [soon, later])
    assert_splits(one("birthday", "before", "1988-01-01"), [later], [soon, unknown])
    assert_splits(one("birthday", "after", "1988-01-01"), [soon], [later, unknown])


def test_upcoming_birthday_window_wraps_past_december(tenant, monkeypatch):
    from apps.contacts.selectors import segment_rules

    monkeypatch.setattr(segment_rules, "_today", lambda now: dt.date(2025, 12, 28))
    january = ContactFactory(birthday=dt.date(1990, 1, 2))
    december = ContactFactory(birthday=dt.date(1990, 12, 30))
    june = ContactFactory(birthday=dt.date(1990, 6, 1))
    assert_splits(one("birthday", "within_next", 10), [january, december], [june])


# --- custom fields -------------------------------------------------------------------------------
def test_custom_number_comparisons(tenant):
    CustomFieldFactory(key="visits", type="number")
    many = ContactFactory(custom={"visits": 12})
    few = ContactFactory(custom={"visits": 3})
    blank = ContactFactory(custom={})
    assert_splits(one("custom.visits", "gt", "10"), [many], [few, blank])
    assert_splits(one("custom.visits", "lt", 10), [few], [many, blank])
    assert_splits(one("custom.visits", "eq", "3.0"), [few], [many, blank])
    assert_splits(one("custom.visits", "empty"), [blank], [many, few])


def test_custom_date_renewal_in_the_next_30_days(tenant):
    CustomFieldFactory(key="renewal", type="date")
    today = timezone.localdate()
    due = ContactFactory(custom={"renewal": (today + dt.timedelta(days=12)).isoformat()})
    far = ContactFactory(custom={"renewal": (today + dt.timedelta(days=90)).isoformat()})
    past = ContactFactory(custom={"renewal": (today - dt.timedelta(days=3)).isoformat()})
    none = ContactFactory(custom={})
    assert_splits(one("custom.renewal", "within_next", 30), [due], [far, past, none])
    assert_splits(one("custom.renewal", "within_last", 7), [past], [due, far, none])
    assert_splits(one("custom.renewal", "before", today.isoformat()), [past], [due, far, none])
    assert_splits(one("custom.renewal", "after", today.isoformat()), [due, far], [past, none])


def test_custom_choice_boolean_and_text(tenant):
    CustomFieldFactory(key="plan", type="choice", choices=["basic", "premium"])
    CustomFieldFactory(key="vip", type="boolean")
    CustomFieldFactory(key="notes", type="text")
    premium = ContactFactory(custom={"plan": "premium", "vip": True, "notes": "Likes Mornings"})
    basic = ContactFactory(custom={"plan": "basic", "vip": False, "notes": "evenings"})
    blank = ContactFactory(custom={})
    assert_splits(one("custom.plan", "eq", "premium"), [premium], [basic, blank])
    assert_splits(one("custom.plan", "neq", "premium"), [basic, blank], [premium])
    assert_splits(one("custom.vip", "is", "yes"), [premium], [basic, blank])
    assert_splits(one("custom.vip", "is", False), [basic, blank], [premium])
    assert_splits(one("custom.notes", "contains", "morning"), [premium], [basic, blank])


# --- tags, consent, RFM, purchases, events -------------------------------------------------------
def test_tags_has_and_has_not(tenant):
    vip = ContactFactory(tags=["vip", "implant"])
    plain = ContactFactory(tags=[])
    assert_splits(one("tags", "has", "VIP"), [vip], [plain])
    assert_splits(one("tags", "has_not", "vip"), [plain], [vip])


def test_consent_per_channel(tenant):
    yes = ContactFactory(email_consent=ConsentStatus.OPTED_IN, sms_consent=ConsentStatus.OPTED_OUT)
    no = ContactFactory(email_consent=ConsentStatus.OPTED_OUT, sms_consent=ConsentStatus.OPTED_IN)
    assert_splits(one("consent.email", "eq", "opted_in"), [yes], [no])
    assert_splits(one("consent.sms", "eq", "opted_in"), [no], [yes])
    assert_splits(one("consent.voice", "neq", "unknown"), [], [yes, no])


def test_rfm_segment_and_scores(tenant):
    champ = ContactFactory()
    rfm(champ, 5, 5, 4, "champions")
    lost = ContactFactory()
    rfm(lost, 1, 1, 2, "lost")
    never = ContactFactory()
    assert_splits(one("rfm.segment", "eq", "champions"), [champ], [lost, never])
    assert_splits(one("rfm.segment", "neq", "champions"), [lost, never], [champ])
    assert_splits(one("rfm.r", "gte", 4), [champ], [lost, never])
    assert_splits(one("rfm.f", "lte", 2), [lost], [champ, never])
    assert_splits(one("rfm.m", "gte", "2"), [champ, lost], [never])


def test_last_purchase_within_not_within_and_never(tenant):
    recent = ContactFactory()
    buy(recent, "50", 3)
    lapsed = ContactFactory()
    buy(lapsed, "50", 200)
    never = ContactFactory()
    refunded_only = ContactFactory()
    buy(refunded_only, "20", 2, kind=TransactionKind.REFUND)
    assert_splits(one("purchase.last", "within", 30), [recent], [lapsed, never, refunded_only])
    assert_splits(one("purchase.last", "not_within", 30), [lapsed], [recent, never])
    assert_splits(one("purchase.last", "never"), [never, refunded_only], [recent, lapsed])


def test_total_spend_over_days_subtracts_refunds(tenant):
    big = ContactFactory()
    buy(big, "300", 10)
    refunded = ContactFactory()
    buy(refunded, "300", 10)
    buy(refunded, "250", 5, kind=TransactionKind.REFUND)
    old = ContactFactory()
    buy(old, "900", 400)
    nothing = ContactFactory()
    assert_splits(one("purchase.total", "gt", 100, days=90), [big], [refunded, old, nothing])
    assert_splits(one("purchase.total", "lt", 100, days=90), [refunded, old, nothing], [big])


def test_event_at_least_n_times_in_the_last_d_days(tenant):
    keen = ContactFactory()
    casual = ContactFactory()
    stale = ContactFactory()
    now = timezone.now()
    for days in (1, 2, 3):
        TimelineEventFactory(contact=keen, type="page.viewed", occurred_at=now - dt.timedelta(days))
    TimelineEventFactory(contact=casual, type="page.viewed", occurred_at=now)
    TimelineEventFactory(contact=casual, type="email.clicked", occurred_at=now)
    TimelineEventFactory(contact=casual, type="email.clicked", occurred_at=now)
    for days in (40, 41, 42):
        TimelineEventFactory(
            contact=stale, type="page.viewed", occurred_at=now - dt.timedelta(days)
        )
    rules = one("event", "at_least", 3, event_type="page.viewed", days=30)
    assert_splits(rules, [keen], [casual, stale])
    rules = one("event", "fewer_than", 2, event_type="page.viewed", days=30)
    assert_splits(rules, [casual, stale], [keen])


def test_erased_contacts_are_never_members(tenant):
    gone = ContactFactory(city="Berlin", erased_at=timezone.now())
    here = ContactFactory(city="Berlin")
    assert_splits(one("city", "eq", "Berlin"), [here], [gone])


# --- nesting -------------------------------------------------------------------------------------
def test_and_or_nesting(tenant):
    berlin_vip = ContactFactory(city="Berlin", tags=["vip"], lifecycle_stage="customer")
    berlin_lead = ContactFactory(city="Berlin", tags=[], lifecycle_stage="lead")
    bonn_vip = ContactFactory(city="Bonn", tags=["vip"], lifecycle_stage="lead")
    bonn_lead = ContactFactory(city="Bonn", tags=[], lifecycle_stage="lead")
    rules = {
        "op": "and",
        "rules": [
            {"field": "city", "cmp": "eq", "value": "Berlin"},
            {
                "op": "or",
                "rules": [
                    {"field": "tags", "cmp": "has", "value": "vip"},
                    {"field": "lifecycle_stage", "cmp": "eq", "value": "customer"},
                ],
            },
        ],
    }
    assert_splits(rules, [berlin_vip], [berlin_lead, bonn_vip, bonn_lead])
    rules["op"] = "or"
    assert_splits(rules, [berlin_vip, berlin_lead, bonn_vip], [bonn_lead])


def test_a_segment_compiles_to_one_query(tenant, django_assert_num_queries):
    CustomFieldFactory(key="renewal", type="date")
    ContactFactory(city="Berlin")
    rules = {
        "op": "or",
        "rules": [
            {"field": "city", "cmp": "eq", "value": "Berlin"},
            {"field": "custom.renewal", "cmp": "within_next", "value": 30},
            {"field": "event", "cmp": "at_least", "value": 2, "event_type": "x", "days": 7},
            {"field": "purchase.total", "cmp": "gt", "value": 10, "days": 30},
            {"field": "rfm.segment", "cmp": "eq", "value": "loyal"},
        ],
    }
    members = rules_members(rules)  # reads the custom field definitions once
    with django_assert_num_queries(1):
        assert members.count() == 1


def test_empty_rules_match_every_contact(tenant):
    a, b = ContactFactory(), ContactFactory()
    assert {a.pk, b.pk} <= matched({})


# --- validation ----------------------------------------------------------------------------------
def errors_of(rules) -> dict:
    with pytest.raises(ValidationError) as info:
        segment_create(name="x", rules=rules)
    return info.value.message_dict


def test_validation_names_the_rule_path(tenant):
    rules = {
        "op": "and",
        "rules": [
            {"field": "city", "cmp": "eq", "value": "Berlin"},
            {"field": "created", "cmp": "within_last", "value": "soon"},
            {
                "op": "or",
                "rules": [
                    {"field": "nope", "cmp": "eq", "value": 1},
                    {"field": "tags", "cmp": "between", "value": "a"},
                    {"field": "event", "cmp": "at_least", "value": 2},
                ],
            },
        ],
    }
    errors = errors_of(rules)
    assert set(errors) == {
        "rules.1.value",
        "rules.2.rules.0.field",
        "rules.2.rules.1.cmp",
        "rules.2.rules.2.days",
        "rules.2.rules.2.event_type",
    }
    assert "days" in errors["rules.1.value"][0]


def test_validation_rejects_bad_op_deep_nesting_and_empty_trees(tenant):
    assert "op" in errors_of({"op": "xor", "rules": [{"field": "city", "cmp": "empty"}]})
    deep = {
        "op": "and",
        "rules": [{"op": "or", "rules": [{"op": "and", "rules": [{"op": "or", "rules": []}]}]}],
    }
    assert "rules.0.rules.0.rules.0" in errors_of(deep)
    assert errors_of({"op": "and", "rules": []}) == {"rules": ["Add at least one condition."]}


def test_validation_checks_values_against_custom_field_definitions(tenant):
    CustomFieldFactory(key="plan", type="choice", choices=["basic"])
    errors = errors_of(one("custom.plan", "eq", "gold"))
    assert list(errors) == ["rules.0.value"]
    assert "basic" in errors["rules.0.value"][0]
    assert list(errors_of(one("custom.plan", "gt", 3))) == ["rules.0.cmp"]


def test_a_stored_segment_whose_field_was_deleted_matches_nobody(tenant):
    ContactFactory(custom={})
    segment = SegmentFactory(rules=one("custom.gone", "empty"))
    assert list(segment_members(segment=segment)) == []


# --- services: create, update, delete, static lists ----------------------------------------------
def test_create_stores_the_normalised_tree_and_update_checks_again(tenant, owner):
    segment = segment_create(name=" Vips ", rules=one("tags", "has", " VIP "), actor=owner)
    assert segment.name == "Vips" and segment.created_by == owner
    assert segment.rules == {
        "op": "and",
        "rules": [{"field": "tags", "cmp": "has", "value": "vip"}],
    }
    with pytest.raises(ValidationError) as info:
        segment_update(segment=segment, name="", rules=one("tags", "has", ""))
    assert set(info.value.message_dict) == {"name", "rules.0.value"}
    segment.refresh_from_db()
    assert segment.name == "Vips"
    segment_update(segment=segment, rules=one("city", "eq", "Bonn"))
    segment.refresh_from_db()
    assert segment.rules["rules"][0]["field"] == "city"


def test_static_lists_add_and_remove_members(tenant):
    listed = segment_create(name="Friends", kind=SegmentKind.STATIC)
    a, b = ContactFactory(), ContactFactory()
    erased = ContactFactory(erased_at=timezone.now())
    assert segment_members_add(segment=listed, contact_ids=[a.pk, b.pk, erased.pk, 999999]) == 2
    assert segment_members_add(segment=listed, contact_ids=[a.pk]) == 0
    assert set(segment_members(segment=listed).values_list("pk", flat=True)) == {a.pk, b.pk}
    assert segment_count(segment=listed) == 2
    assert segment_members_remove(segment=listed, contact_ids=[a.pk, 12345]) == 1
    assert list(segment_members(segment=listed)) == [b]
    assert {c.pk for c in contact_list(segment=listed)} == {b.pk}


def test_static_list_services_refuse_rule_segments_and_rules_on_lists(tenant):
    dynamic = segment_create(name="Berlin", rules=one("city", "eq", "Berlin"))
    with pytest.raises(ValidationError) as info:
        segment_members_add(segment=dynamic, contact_ids=[1])
    assert "segment" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        segment_create(name="List", kind=SegmentKind.STATIC, rules=one("city", "empty"))
    assert "rules" in info.value.message_dict
    with pytest.raises(ValidationError):
        segment_create(name="Odd", kind="smart")


def test_delete_keeps_the_contacts(tenant):
    listed = segment_create(name="Friends", kind=SegmentKind.STATIC)
    contact = ContactFactory()
    segment_members_add(segment=listed, contact_ids=[contact.pk])
    segment_delete(segment=listed)
    assert not Segment.objects.filter(pk=listed.pk).exists()
    assert not SegmentMember.objects.exists()
    contact.refresh_from_db()


def test_contact_list_filters_by_a_dynamic_segment(tenant):
    berlin = ContactFactory(city="Berlin")
    ContactFactory(city="Bonn")
    segment = segment_create(name="Berlin", rules=one("city", "eq", "Berlin"))
    assert [c.pk for c in contact_list(segment=segment)] == [berlin.pk]


# --- pages ---------------------------------------------------------------------------------------


def test_segment_list_page_query_count_does_not_grow_with_segments(
    owner_client, django_assert_max_num_queries
):
    with alpha():
        for n in range(2):
            SegmentFactory(name=f"Seg {n}", rules=one("city", "eq", "Berlin"))
    with django_assert_max_num_queries(8) as few:
        response = owner_client.get("/segments/")
    assert response.status_code == 200
    with alpha():
        for n in range(2, 12):
            SegmentFactory(name=f"Seg {n}", rules=one("city", "eq", "Berlin"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = owner_client.get("/segments/")
    page = response.content.decode()
    assert page.count('class="segment-count"') == 12
    assert page.count("/segments/counts/") == 1  # one request fills every row's count


def test_segment_list_counts_arrive_in_one_request_and_one_query(
    owner_client, django_assert_max_num_queries
):
    with alpha():
        ContactFactory(city="Berlin", tags=["vip"])
        ContactFactory(city="Berlin")
        ContactFactory(city="Bonn")
        berlin = SegmentFactory(name="Berlin", rules=one("city", "eq", "Berlin"))
        bonn = SegmentFactory(name="Bonn", rules=one("city", "eq", "Bonn"))
        broken = SegmentFactory(name="Broken", rules=one("custom.gone", "eq", "x"))
        listed = segment_create(name="Hand-picked", kind="static")
        segment_members_add(segment=listed, contact_ids=[ContactFactory(city="Rome").pk])
        for n in range(8):
            SegmentFactory(name=f"Seg {n}", rules=one("city", "eq", "Berlin"))
    # tenant, session and user; the segments and the custom fields; one query for every count
    with django_assert_max_num_queries(8) as queries:
        response = owner_client.get("/segments/counts/", **HTMX)
    assert response.status_code == 200
    counting = [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counting) == 1
    page = response.content.decode()
    expected = {berlin.pk: 2, bonn.pk: 1, broken.pk: 0, listed.pk: 1}
    for pk, count in expected.items():
        assert re.search(rf'id="segment-count-{pk}" hx-swap-oob="true">{count}<', page), (pk, count)


def test_segment_list_row_count_is_loaded_per_row(owner_client):
    with alpha():
        ContactFactory(city="Berlin")
        ContactFactory(city="Bonn")
        segment = SegmentFactory(rules=one("city", "eq", "Berlin"))
    response = owner_client.get(f"/segments/{segment.pk}/count/", **HTMX)
    assert response.status_code == 200
    assert re.search(r">\s*1\s*<", response.content.decode())


def test_builder_live_count_shows_count_and_sample_names(staff_client):
    with alpha():
        ContactFactory(first_name="Anna", last_name="Berliner", city="Berlin")
        ContactFactory(first_name="Bert", city="Bonn")
    params = {
        "op": "and",
        "g0-op": "and",
        "g0-r0-field": "city",
        "g0-r0-cmp": "eq",
        "g0-r0-value": "berlin",
    }
    response = staff_client.get("/segments/preview/", params, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="segment-count"' in body
    assert "<strong>1</strong>" in body and "Anna Berliner" in body and "Bert" not in body


def test_builder_live_count_explains_an_unfinished_condition(staff_client):
    params = {
        "op": "and",
        "g0-op": "and",
        "g0-r0-field": "created",
        "g0-r0-cmp": "within_last",
        "g0-r0-value": "x",
    }
    response = staff_client.get("/segments/preview/", params, **HTMX)
    assert response.status_code == 200
    assert "days" in response.content.decode()


def test_builder_saves_a_new_segment_and_redirects_to_it(staff_client):
    params = {
        "name": "Berliners",
        "op": "or",
        "g0-op": "and",
        "g0-r0-field": "city",
        "g0-r0-cmp": "eq",
        "g0-r0-value": "Berlin",
        "g1-op": "and",
        "g1-r3-field": "tags",
        "g1-r3-cmp": "has",
        "g1-r3-value": "vip",
    }
    response = staff_client.post("/segments/new/", params)
    assert response.status_code == 302
    with alpha():
        segment = Segment.objects.get(name="Berliners")
    assert response.url == f"/segments/{segment.pk}/"
    assert segment.rules["op"] == "or"
    assert [g["rules"][0]["field"] for g in segment.rules["rules"]] == ["city", "tags"]


def test_builder_shows_errors_at_the_condition_and_keeps_the_input(staff_client):
    params = {
        "name": "",
        "op": "and",
        "g0-op": "and",
        "g0-r0-field": "created",
        "g0-r0-cmp": "within_last",
        "g0-r0-value": "many",
    }
    response = staff_client.post("/segments/new/", params)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Give the segment a name." in body
    assert "Enter a number of days" in body
    assert 'value="many"' in body
    with alpha():
        assert not Segment.objects.exists()


def test_builder_edits_an_existing_segment(staff_client):
    with alpha():
        segment = SegmentFactory(name="Old", rules=one("city", "eq", "Bonn"))
    page = staff_client.get(f"/segments/{segment.pk}/")
    assert page.status_code == 200
    assert 'value="Bonn"' in page.content.decode()
    assert f"/contacts/?segment={segment.pk}" in page.content.decode()
    params = {
        "name": "New",
        "op": "and",
        "g0-op": "and",
        "g0-r0-field": "city",
        "g0-r0-cmp": "eq",
        "g0-r0-value": "Köln",
    }
    response = staff_client.post(f"/segments/{segment.pk}/", params)
    assert response.status_code == 302
    with alpha():
        segment.refresh_from_db()
    assert segment.name == "New" and segment.rules["rules"][0]["rules"][0]["value"] == "Köln"


def test_rule_row_endpoint_returns_a_row_with_the_next_index(staff_client):
    params = {"group": "0", "g0-r0-field": "city", "g0-r4-field": "city"}
    response = staff_client.get("/segments/rule-row/", params, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="g0-r5-field"' in body
    assert "segment-rules-changed" in response.headers["HX-Trigger-After-Settle"]


def test_rule_row_redraws_for_a_new_field_with_matching_comparisons(staff_client):
    params = {"group": "0", "index": "2", "g0-r2-field": "event", "g0-r2-cmp": "eq"}
    response = staff_client.get("/segments/rule-row/", params, **HTMX)
    body = response.content.decode()
    assert 'name="g0-r2-event_type"' in body and 'name="g0-r2-days"' in body
    assert 'value="at_least"' in body


def test_static_list_page_removes_a_member(staff_client):
    with alpha():
        listed = segment_create(name="Friends", kind=SegmentKind.STATIC)
        contact = ContactFactory(first_name="Zora")
        segment_members_add(segment=listed, contact_ids=[contact.pk])
    page = staff_client.get(f"/segments/{listed.pk}/")
    assert "Zora" in page.content.decode()
    response = staff_client.post(
        f"/segments/{listed.pk}/members/remove/", {"contact_id": contact.pk}
    )
    assert response.status_code == 302
    with alpha():
        assert not SegmentMember.objects.filter(segment=listed).exists()


def test_delete_page_action(staff_client):
    with alpha():
        segment = SegmentFactory()
    response = staff_client.post(f"/segments/{segment.pk}/delete/")
    assert response.status_code == 302 and response.url == "/segments/"
    with alpha():
        assert not Segment.objects.filter(pk=segment.pk).exists()


def test_viewer_sees_the_builder_but_cannot_save(viewer_client):
    with alpha():
        segment = SegmentFactory(rules=one("city", "eq", "Bonn"))
    assert viewer_client.get("/segments/").status_code == 200
    page = viewer_client.get(f"/segments/{segment.pk}/")
    assert page.status_code == 200
    assert "Save" not in page.content.decode()
    params = {
        "name": "X",
        "op": "and",
        "g0-op": "and",
        "g0-r0-field": "city",
        "g0-r0-cmp": "eq",
        "g0-r0-value": "x",
    }
    assert viewer_client.get("/segments/preview/", params, **HTMX).status_code == 200
    assert viewer_client.post(f"/segments/{segment.pk}/", params).status_code == 403
    assert viewer_client.post("/segments/new/", params).status_code == 403
    assert viewer_client.post(f"/segments/{segment.pk}/delete/").status_code == 403
    with alpha():
        segment.refresh_from_db()
    assert segment.name != "X"


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "/segments/"),
        ("get", "/segments/new/"),
        ("get", "/segments/{pk}/"),
        ("get", "/segments/{pk}/count/"),
        ("get", "/segments/counts/"),
        ("get", "/segments/preview/"),
        ("get", "/segments/rule-row/"),
        ("get", "/segments/rule-group/"),
        ("post", "/segments/{pk}/"),
        ("post", "/segments/{pk}/delete/"),
        ("post", "/segments/{pk}/members/remove/"),
    ],
)
def test_outsider_is_sent_to_login(outsider_client, method, path):
    with alpha():
        segment = SegmentFactory()
    path = path.format(pk=segment.pk)
    response = getattr(outsider_client, method)(path)
    assert response.status_code == 302
    assert response.url.startswith("/login/")
    with alpha():
        assert Segment.objects.filter(pk=segment.pk).exists()
