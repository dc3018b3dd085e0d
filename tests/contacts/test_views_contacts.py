"""The contact pages: list, search, filters, bulk tags, the contact form, the contact page with
its quick actions, roles, outsiders, query counts, and the home page's "My tasks" card."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from apps.contacts import services
from apps.contacts.models import (
    ConsentEvent,
    Contact,
    RfmScore,
    SegmentMember,
    Task,
    TimelineEvent,
    Transaction,
)
from apps.contacts.views import contacts as views
from tests.accounts.factories import UserFactory
from tests.conftest import alpha
from tests.contacts.factories import (
    ContactFactory,
    CustomFieldFactory,
    SegmentFactory,
    TaskFactory,
    TimelineEventFactory,
)

HTMX = {"HTTP_HX_REQUEST": "true"}
# Pinned for a test's first request (cold host cache): search_path twice and the host lookup,
# session, user, on full pages the channels in test mode (the staff banner's; a cold cache);
# then what the page itself reads.
LIST_QUERIES = 8  # ... the page of 51 rows and the segments for the filter
LIST_FILTERED_QUERIES = 7  # htmx: ... the page of 51 rows and the capped count of matches
# ... the contact; custom fields; latest consent per channel; consent history; purchases;
# timeline; open tasks; the team (assignee choices)
DETAIL_QUERIES = 14
NOTE_QUERIES = 8  # ... the contact, the insert, the first page of the timeline
TASKS_QUERIES = 6  # the "My tasks" card: ... the user's open tasks with their contacts


def _content(response) -> str:
    return response.content.decode()


def _url_exists(name: str) -> bool:
    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


# --- the list ------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_list_shows_each_contact_with_its_columns(owner_client, owner):
    ContactFactory(
        first_name="Ada",
        last_name="Lovelace",
        email="ada@example.test",
        phone="+4915123456789",
        phone_national="15123456789",
        tags=["vip", "implant"],
        owner=owner,
        lifecycle_stage="customer",
    )
    content = _content(owner_client.get("/contacts/"))
    ada = Contact.objects.get(email="ada@example.test")
    assert f'href="/contacts/{ada.pk}/">Ada Lovelace</a>' in content
    assert "ada<wbr>@example.test" in content
    assert "+49 1512 3456789" in content  # phone_display, not the stored E.164
    assert ">Customer</span>" in content
    assert ">vip</a>" in content and ">implant</a>" in content
    assert "Alpha Owner" in content


@pytest.mark.django_db
def test_search_box_asks_for_the_table_as_you_type_and_keeps_the_query_in_the_url(owner_client):
    content = _content(owner_client.get("/contacts/"))
    search = re.search(r'<input type="search"[^>]*>', content, re.S).group(0)
    assert 'name="q"' in search
    assert 'hx-get="/contacts/"' in search
    assert 'hx-trigger="input changed delay:250ms, search"' in search
    assert 'hx-target="#contact-table"' in search
    assert 'hx-push-url="true"' in search


@pytest.mark.django_db
def test_htmx_search_returns_only_the_table_with_the_matches(owner_client):
    ContactFactory(first_name="Marguerite", last_name="Duras")
    ContactFactory(first_name="Albert", last_name="Camus")
    response = owner_client.get("/contacts/?q=marg", **HTMX)
    content = _content(response)
    assert response.status_code == 200
    assert content.startswith('<div id="contact-table"')
    assert "<html" not in content
    assert "Marguerite Duras" in content
    assert "Albert Camus" not in content
    assert "1 contact" in content


@pytest.mark.django_db
def test_search_without_javascript_renders_the_whole_page_with_the_query(owner_client):
    ContactFactory(first_name="Marguerite", last_name="Duras", email="md@example.test")
    ContactFactory(first_name="Albert", last_name="Camus")
    content = _content(owner_client.get("/contacts/?q=md@exa"))
    assert "<html" in content
    assert 'value="md@exa"' in content
    assert "Marguerite Duras" in content and "Albert Camus" not in content


@pytest.mark.django_db
def test_search_finds_a_contact_by_phone_digits(owner_client):
    ContactFactory(
        first_name="Phone", last_name="Person", phone="+4915123456789", phone_national="15123456789"
    )
    ContactFactory(first_name="Other", last_name="Person")
    content = _content(owner_client.get("/contacts/?q=01512345", **HTMX))
    assert "Phone Person" in content and "Other Person" not in content


@pytest.mark.django_db
def test_list_filters_by_tag_and_by_stage(owner_client):
    ContactFactory(first_name="Tagged", last_name="Lead", tags=["vip"], lifecycle_stage="lead")
    ContactFactory(
        first_name="Tagged", last_name="Customer", tags=["vip"], lifecycle_stage="customer"
    )
    ContactFactory(first_name="Plain", last_name="Customer", lifecycle_stage="customer")
    by_tag = _content(owner_client.get("/contacts/?tag=VIP", **HTMX))
    assert "Tagged Lead" in by_tag and "Tagged Customer" in by_tag
    assert "Plain Customer" not in by_tag
    both = _content(owner_client.get("/contacts/?tag=vip&stage=customer", **HTMX))
    assert "Tagged Customer" in both
    assert "Tagged Lead" not in both and "Plain Customer" not in both


@pytest.mark.django_db
def test_list_filters_by_segment_and_names_it(owner_client):
    listed = ContactFactory(first_name="Listed", last_name="Member")
    ContactFactory(first_name="Not", last_name="Listed")
    segment = SegmentFactory(name="Recall due", kind="static")
    SegmentMember.objects.create(segment=segment, contact=listed)
    content = _content(owner_client.get(f"/contacts/?segment={segment.pk}"))
    assert "Segment <strong>Recall due</strong>" in content
    assert "Listed Member" in content and "Not Listed" not in content
    assert f'<option value="{segment.pk}" selected>Recall due</option>' in content


@pytest.mark.django_db
def test_an_unknown_segment_is_a_404(owner_client):
    assert owner_client.get("/contacts/?segment=999999").status_code == 404


@pytest.mark.django_db
def test_garbled_filters_fall_back_to_the_plain_list(owner_client):
    ContactFactory(first_name="Still", last_name="Shown")
    response = owner_client.get("/contacts/?stage=nonsense&sort=evil&page=-3&segment=abc")
    assert response.status_code == 200
    assert "Still Shown" in _content(response)


@pytest.mark.django_db
def test_list_sorts_by_name_newest_and_recently_updated(owner_client):
    older = ContactFactory(first_name="Zed", last_name="Zimmer")
    newer = ContactFactory(first_name="Abe", last_name="Adams")
    Contact.objects.filter(pk=older.pk).update(updated=timezone.now() + dt.timedelta(hours=1))

    def order(sort):
        content = _content(owner_client.get(f"/contacts/?sort={sort}", **HTMX))
        return content.index("Zed Zimmer") < content.index("Abe Adams")

    assert order("name") is False  # Adams before Zimmer
    assert order("-created") is False  # the newer one (Abe) first
    assert order("-updated") is True  # Zed was touched last
    assert newer.pk > older.pk


@pytest.mark.django_db
def test_list_pages_by_fifty_without_counting_everything(owner_client, monkeypatch):
    for n in range(51):
        ContactFactory(first_name="Person", last_name=f"N{n:03d}")
    first = _content(owner_client.get("/contacts/"))
    assert first.count('name="ids"') == 50
    assert "1–50" in first
    assert "Next page" in first and "Previous" not in first
    assert "contacts</p>" not in first  # no count when nothing is filtered
    second = _content(owner_client.get("/contacts/?page=2", **HTMX))
    assert second.count('name="ids"') == 1
    assert "Person N050" in second
    assert "Previous" in second and "Next page" not in second


@pytest.mark.django_db
def test_the_page_links_keep_the_filters(owner_client):
    for n in range(51):
        ContactFactory(first_name="Vip", last_name=f"N{n:03d}", tags=["vip"])
    content = _content(owner_client.get("/contacts/?tag=vip&sort=-created"))
    assert 'href="/contacts/?tag=vip&amp;sort=-created&amp;page=2"' in content


@pytest.mark.django_db
def test_a_filtered_list_counts_matches_up_to_a_cap(owner_client, monkeypatch):
    monkeypatch.setattr(views, "COUNT_CAP", 3)
    for n in range(5):
        ContactFactory(first_name="Vip", last_name=f"N{n}", tags=["vip"])
    ContactFactory(first_name="Gold", last_name="One", tags=["gold"])
    assert "more than 3 contacts" in _content(owner_client.get("/contacts/?tag=vip", **HTMX))
    assert "1 contact" in _content(owner_client.get("/contacts/?tag=gold", **HTMX))


@pytest.mark.django_db
def test_erased_contacts_are_not_listed(owner_client):
    ContactFactory(first_name="Gone", last_name="Away", erased_at=timezone.now())
    ContactFactory(first_name="Still", last_name="Here")
    content = _content(owner_client.get("/contacts/"))
    assert "Still Here" in content and "Gone Away" not in content


@pytest.mark.django_db
def test_an_empty_business_is_invited_to_add_or_import_contacts(owner_client):
    content = _content(owner_client.get("/contacts/"))
    assert "No contacts yet" in content
    assert 'href="/contacts/new/"' in content
    if _url_exists("contacts:import_upload"):
        assert f'href="{reverse("contacts:import_upload")}"' in content
        assert "Import a CSV" in content
    else:
        assert "Import a CSV" not in content


@pytest.mark.django_db
def test_a_search_without_matches_says_so(owner_client):
    ContactFactory(first_name="Someone")
    content = _content(owner_client.get("/contacts/?q=zzzzzz", **HTMX))
    assert "No contacts match." in content
    assert "No contacts yet" not in content


@pytest.mark.django_db
def test_viewer_sees_the_list_without_write_controls(viewer_client):
    ContactFactory(first_name="Read", last_name="Only")
    content = _content(viewer_client.get("/contacts/"))
    assert "Read Only" in content
    assert 'name="ids"' not in content
    assert 'id="bulk-form"' not in content
    assert 'href="/contacts/new/"' not in content


@pytest.mark.django_db
def test_export_selected_appears_only_when_the_export_exists(owner_client):
    ContactFactory()
    content = _content(owner_client.get("/contacts/"))
    assert ('value="export"' in content) is _url_exists("contacts:contact_export")


# --- bulk actions --------------------------------------------------------------------------------
@pytest.mark.django_db
def test_bulk_add_tag_tags_only_the_ticked_contacts(staff_client):
    ticked = ContactFactory.create_batch(2)
    other = ContactFactory()
    response = staff_client.post(
        "/contacts/bulk/",
        {
            "ids": [c.pk for c in ticked],
            "action": "add",
            "tag": " Recall ",
            "next": "/contacts/?q=x",
        },
    )
    assert response.status_code == 302
    assert response.url == "/contacts/?q=x"
    with alpha():
        assert all(Contact.objects.get(pk=c.pk).tags == ["recall"] for c in ticked)
        assert Contact.objects.get(pk=other.pk).tags == []
    assert "Tag “recall” added to 2 contacts." in _content(staff_client.get("/contacts/"))


@pytest.mark.django_db
def test_bulk_remove_tag_removes_it(staff_client):
    contact = ContactFactory(tags=["recall", "vip"])
    staff_client.post("/contacts/bulk/", {"ids": [contact.pk], "action": "remove", "tag": "vip"})
    with alpha():
        assert Contact.objects.get(pk=contact.pk).tags == ["recall"]


@pytest.mark.django_db
def test_bulk_action_needs_ticked_rows_and_a_tag(staff_client):
    contact = ContactFactory()
    response = staff_client.post("/contacts/bulk/", {"action": "add", "tag": "x"}, follow=True)
    assert "Tick at least one contact first." in _content(response)
    response = staff_client.post(
        "/contacts/bulk/", {"ids": [contact.pk], "action": "add", "tag": ""}, follow=True
    )
    assert "Type the tag to add or remove." in _content(response)
    with alpha():
        assert Contact.objects.get(pk=contact.pk).tags == []


@pytest.mark.django_db
def test_bulk_never_redirects_to_another_host(staff_client):
    contact = ContactFactory()
    response = staff_client.post(
        "/contacts/bulk/",
        {"ids": [contact.pk], "action": "add", "tag": "x", "next": "http://evil.test/"},
    )
    assert response.url == "/contacts/"


@pytest.mark.django_db
def test_bulk_export_hands_the_ticked_ids_to_the_export(staff_client):
    a, b = ContactFactory.create_batch(2)
    response = staff_client.post("/contacts/bulk/", {"ids": [a.pk, b.pk], "action": "export"})
    assert response.status_code == 302
    if _url_exists("contacts:contact_export"):
        assert response.url == f"{reverse('contacts:contact_export')}?ids={a.pk}%2C{b.pk}"
    else:
        assert response.url == "/contacts/"


# --- create and edit -----------------------------------------------------------------------------
def _custom_fields():
    return {
        "renewal": CustomFieldFactory(key="renewal", label="Contract renewal", type="date"),
        "visits": CustomFieldFactory(key="visits", label="Visits", type="number"),
        "plan": CustomFieldFactory(
            key="plan", label="Plan", type="choice", choices=["basic", "gold"]
        ),
        "insured": CustomFieldFactory(key="insured", label="Insured", type="boolean"),
        "nickname": CustomFieldFactory(key="nickname", label="Nickname", type="text"),
    }


@pytest.mark.django_db
def test_contact_form_has_an_input_per_custom_field_by_type(owner_client):
    _custom_fields()
    content = _content(owner_client.get("/contacts/new/"))
    assert re.search(r'<input type="date" name="custom_renewal"', content)
    assert re.search(r'<input type="number" name="custom_visits"', content)
    assert re.search(r'<select name="custom_plan"', content)
    assert '<option value="gold">gold</option>' in content
    assert re.search(r'<input type="checkbox" name="custom_insured"', content)
    assert re.search(r'<input type="text" name="custom_nickname"', content)
    assert "Contract renewal" in content
    for name in (
        "first_name",
        "email",
        "phone",
        "birthday",
        "time_zone",
        "owner",
        "tags",
        "lifecycle_stage",
        "preferred_channel",
        "country",
        "source",
    ):
        assert f'name="{name}"' in content


@pytest.mark.django_db
def test_creating_a_contact_reads_the_phone_with_the_business_country(staff_client, owner):
    _custom_fields()
    response = staff_client.post(
        "/contacts/new/",
        {
            "first_name": "Nina",
            "last_name": "Berg",
            "email": "Nina@Example.test",
            "phone": "0151 23456789",
            "lifecycle_stage": "lead",
            "tags": "VIP, implant",
            "owner": owner.pk,
            "custom_renewal": "2026-03-01",
            "custom_visits": "4",
            "custom_plan": "gold",
            "custom_insured": "on",
            "custom_nickname": "Nin",
        },
    )
    with alpha():
        contact = Contact.objects.get(email="nina@example.test")
    assert response.status_code == 302
    assert response.url == f"/contacts/{contact.pk}/"
    assert contact.phone == "+4915123456789"  # alpha is in Germany
    assert contact.tags == ["vip", "implant"]
    assert contact.owner_id == owner.pk
    assert contact.custom == {
        "renewal": "2026-03-01",
        "visits": 4,
        "plan": "gold",
        "insured": True,
        "nickname": "Nin",
    }


@pytest.mark.django_db
def test_service_errors_land_on_the_form_fields(staff_client):
    ContactFactory(email="taken@example.test")
    response = staff_client.post(
        "/contacts/new/", {"first_name": "X", "phone": "12", "lifecycle_stage": "lead"}
    )
    assert response.status_code == 200
    assert re.search(
        r'id="phone-errors"[^>]*><ul class="errors"><li>This phone number is not valid for DE',
        _content(response),
    )
    response = staff_client.post(
        "/contacts/new/",
        {"first_name": "X", "email": "Taken@example.test", "lifecycle_stage": "lead"},
    )
    assert re.search(
        r'id="email-errors"[^>]*><ul class="errors"><li>Another contact already has this email',
        _content(response),
    )
    assert 'value="Taken@example.test"' in _content(response)  # what was typed stays
    with alpha():
        assert not Contact.objects.filter(first_name="X").exists()


@pytest.mark.django_db
def test_a_required_custom_field_is_marked_and_checked(staff_client):
    CustomFieldFactory(key="member_no", label="Member number", type="text", required=True)
    assert "Member number</label>" in _content(staff_client.get("/contacts/new/"))  # no "optional"
    content = _content(
        staff_client.post("/contacts/new/", {"first_name": "Y", "lifecycle_stage": "lead"})
    )
    assert 'id="custom_member_no-errors"' in content
    with alpha():
        assert not Contact.objects.filter(first_name="Y").exists()


@pytest.mark.django_db
def test_custom_field_errors_from_the_service_land_on_that_fields_input(tenant):
    from django.core.exceptions import ValidationError

    from apps.contacts.forms import ContactForm

    field = CustomFieldFactory(key="member_no", label="Member number", type="text")
    form = ContactForm({"lifecycle_stage": "lead"}, custom_fields=[field])
    assert form.is_valid()
    form.add_service_errors(
        ValidationError({"custom.member_no": "Taken.", "email": "Bad.", "custom.gone": "No."})
    )
    assert form.errors["custom_member_no"] == ["Taken."]
    assert form.errors["email"] == ["Bad."]
    assert form.non_field_errors() == ["No."]  # a field the form does not show


@pytest.mark.django_db
def test_edit_form_starts_with_the_contact_and_saves_changes(staff_client):
    _custom_fields()
    contact = ContactFactory(
        first_name="Old", last_name="Name", tags=["a", "b"], custom={"plan": "basic", "visits": 2}
    )
    content = _content(staff_client.get(f"/contacts/{contact.pk}/edit/"))
    assert 'value="Old"' in content
    assert 'value="a, b"' in content
    assert '<option value="basic" selected>basic</option>' in content
    response = staff_client.post(
        f"/contacts/{contact.pk}/edit/",
        {
            "first_name": "New",
            "last_name": "Name",
            "email": contact.email,
            "phone": contact.phone,
            "lifecycle_stage": "customer",
            "tags": "a",
            "custom_plan": "gold",
            "custom_visits": "2",
        },
    )
    assert response.status_code == 302
    with alpha():
        contact.refresh_from_db()
        assert TimelineEvent.objects.filter(contact=contact, type="contact.updated").exists()
    assert contact.first_name == "New"
    assert contact.lifecycle_stage == "customer"
    assert contact.tags == ["a"]
    assert contact.custom == {"plan": "gold", "visits": 2, "insured": False}  # an unticked box


@pytest.mark.django_db
def test_an_erased_contact_cannot_be_edited(staff_client):
    contact = ContactFactory(erased_at=timezone.now())
    response = staff_client.get(f"/contacts/{contact.pk}/edit/")
    assert response.status_code == 302
    assert response.url == f"/contacts/{contact.pk}/"


# --- the contact page ----------------------------------------------------------------------------
@pytest.mark.django_db
def test_contact_page_shows_the_profile_with_custom_field_labels(owner_client, owner):
    CustomFieldFactory(key="renewal", label="Contract renewal", type="date")
    CustomFieldFactory(key="insured", label="Insured", type="boolean")
    contact = ContactFactory(
        first_name="Ada",
        last_name="Lovelace",
        phone="+4915123456789",
        phone_national="15123456789",
        city="Berlin",
        birthday=dt.date(1990, 12, 10),
        owner=owner,
        custom={"renewal": "2026-03-01", "insured": True},
        source="website",
    )
    content = _content(owner_client.get(f"/contacts/{contact.pk}/"))
    assert "<h1>Ada Lovelace</h1>" in content
    assert "+49 1512 3456789" in content
    assert "Berlin" in content and "10 Dec 1990" in content and "website" in content
    assert "<dt>Contract renewal</dt><dd>1 Mar 2026</dd>" in content
    assert "<dt>Insured</dt><dd>Yes</dd>" in content
    assert f'href="/contacts/{contact.pk}/edit/"' in content


@pytest.mark.django_db
def test_contact_page_shows_no_placeholders_for_modules_that_do_not_exist(owner_client):
    contact = ContactFactory()
    content = _content(owner_client.get(f"/contacts/{contact.pk}/")).lower()
    for word in ("coming soon", "not available yet"):  # every module's panel loads (its own tests)
        assert word not in content


@pytest.mark.django_db
def test_rfm_card_shows_scores_or_says_there_are_no_purchases(owner_client):
    without = ContactFactory()
    assert "No purchases in the window yet" in _content(
        owner_client.get(f"/contacts/{without.pk}/")
    )
    contact = ContactFactory()
    RfmScore.objects.create(
        contact=contact,
        recency_days=12,
        frequency=7,
        monetary=Decimal("840.00"),
        r=5,
        f=4,
        m=3,
        segment="champions",
        computed_at=timezone.now(),
    )
    content = _content(owner_client.get(f"/contacts/{contact.pk}/"))
    assert "Champions" in content
    assert "12 days ago" in content and "7 purchases" in content and "840.00" in content
    assert '<span class="rfm__score">5</span>' in content


@pytest.mark.django_db
def test_contact_page_lists_the_last_five_purchases(owner_client):
    contact = ContactFactory()
    now = timezone.now()
    for n in range(7):
        Transaction.objects.create(
            contact=contact,
            amount=Decimal(f"{n + 1}0.00"),
            currency="EUR",
            occurred_at=now - dt.timedelta(days=n),
        )
    content = _content(owner_client.get(f"/contacts/{contact.pk}/"))
    assert "10.00 EUR" in content and "50.00 EUR" in content
    assert "60.00 EUR" not in content and "70.00 EUR" not in content


@pytest.mark.django_db
def test_consent_panel_shows_each_channel_with_when_and_how(owner_client, owner):
    contact = ContactFactory()
    services.consent_set(
        contact=contact, channel="email", status="opted_out", method="reply", actor=None
    )
    services.consent_set(
        contact=contact, channel="sms", status="opted_in", method="form", actor=owner
    )
    content = _content(owner_client.get(f"/contacts/{contact.pk}/"))
    panel = content[content.index('id="consent-panel"') : content.index('id="rfm-title"')]
    assert "Opted out</span>" in panel and "Reply (STOP/START)" in panel
    assert "Opted in</span>" in panel and "Form · Alpha Owner" in panel
    assert "never asked" in panel  # voice
    assert "<summary>History</summary>" in panel
    assert panel.count('name="status"') == 3


@pytest.mark.django_db
def test_changing_consent_records_it_as_staff(staff_client, staff_member):
    contact = ContactFactory()
    response = staff_client.post(
        f"/contacts/{contact.pk}/consent/", {"channel": "voice", "status": "opted_in"}, **HTMX
    )
    content = _content(response)
    assert content.startswith('<section id="consent-panel"')
    assert 'id="timeline" class="card" hx-swap-oob="true"' in content
    with alpha():
        contact.refresh_from_db()
        change = ConsentEvent.objects.get(contact=contact)
    assert contact.voice_consent == "opted_in"
    assert (change.method, change.actor_id, change.previous_status) == (
        "staff",
        staff_member.pk,
        "unknown",
    )


@pytest.mark.django_db
def test_a_bad_consent_status_changes_nothing(staff_client):
    contact = ContactFactory()
    response = staff_client.post(
        f"/contacts/{contact.pk}/consent/", {"channel": "voice", "status": "maybe"}
    )
    assert response.status_code == 302
    with alpha():
        assert not ConsentEvent.objects.filter(contact=contact).exists()


@pytest.mark.django_db
def test_timeline_shows_25_events_then_loads_older_ones_by_keyset(owner_client):
    contact = ContactFactory()
    start = timezone.now() - dt.timedelta(days=40)
    for n in range(30):
        TimelineEventFactory(
            contact=contact,
            type="widget.used",
            properties={"n": f"event-{n}"},
            occurred_at=start + dt.timedelta(days=n),
        )
    content = _content(owner_client.get(f"/contacts/{contact.pk}/"))
    assert content.count('class="timeline__item') == 25
    assert "event-29" in content and "event-5" in content and "event-4" not in content
    match = re.search(r'hx-get="(/contacts/\d+/timeline/\?before=[^"]+)"', content)
    assert match
    older = _content(owner_client.get(match.group(1).replace("&amp;", "&"), **HTMX))
    assert older.count('class="timeline__item') == 5
    assert "event-4" in older and "event-0" in older and "event-5" not in older
    assert "Show older" not in older


@pytest.mark.django_db
def test_older_timeline_works_without_javascript(owner_client):
    contact = ContactFactory()
    start = timezone.now() - dt.timedelta(days=40)
    for n in range(27):
        TimelineEventFactory(
            contact=contact,
            type="widget.used",
            properties={"n": f"event-{n}"},
            occurred_at=start + dt.timedelta(days=n),
        )
    content = _content(owner_client.get(f"/contacts/{contact.pk}/"))
    href = re.search(r'class="button[^"]*timeline__more" href="([^"]+)"', content).group(1)
    older = _content(owner_client.get(href.replace("&amp;", "&")))
    assert "<html" in older and "event-1" in older and "event-26" not in older
    assert "Back to the newest" in older


@pytest.mark.django_db
def test_a_garbled_keyset_shows_the_newest_events(owner_client):
    contact = ContactFactory()
    TimelineEventFactory(contact=contact, type="widget.used", properties={"n": "newest"})
    response = owner_client.get(f"/contacts/{contact.pk}/?before=yesterday,abc")
    assert response.status_code == 200
    assert "newest" in _content(response)


@pytest.mark.django_db
def test_timeline_renders_known_event_types_readably(owner_client, owner):
    contact = ContactFactory()
    services.note_add(contact=contact, text="Prefers mornings", actor=owner)
    services.call_log_add(
        contact=contact, summary="Asked about whitening", direction="inbound", actor=owner
    )
    services.transaction_record(contact=contact, amount="120.50", currency="EUR")
    services.consent_set(contact=contact, channel="sms", status="opted_out", method="reply")
    # a row of a type no module declares (stored before the catalogue) shows as it is
    TimelineEventFactory(contact=contact, type="review.requested", properties={"score": 9})
    content = _content(owner_client.get(f"/contacts/{contact.pk}/"))
    assert "Prefers mornings" in content
    assert "<strong>Call</strong>" in content and "· they called" in content
    assert "Asked about whitening" in content
    assert '<strong>Purchase</strong> <span class="timeline__detail">120.50 EUR' in content
    assert "SMS: Unknown → Opted out · Reply (STOP/START)" in content
    assert "<code>review.requested</code>" in content and "<dt>score</dt><dd>9</dd>" in content


@pytest.mark.django_db
def test_adding_a_note_with_htmx_redraws_the_timeline_and_clears_the_form(
    staff_client, staff_member
):
    contact = ContactFactory()
    response = staff_client.post(
        f"/contacts/{contact.pk}/notes/", {"text": "Call back after the holidays"}, **HTMX
    )
    content = _content(response)
    assert response.status_code == 200
    assert content.startswith('<section id="timeline"')
    assert "Call back after the holidays" in content
    form = re.search(r'<form id="note-form".*?</form>', content, re.S).group(0)
    assert 'hx-swap-oob="true"' in form
    assert "Call back after the holidays" not in form
    with alpha():
        note = TimelineEvent.objects.get(contact=contact, type="note.added")
    assert note.actor_id == staff_member.pk


@pytest.mark.django_db
def test_an_empty_note_shows_the_error_in_the_form(staff_client):
    contact = ContactFactory()
    response = staff_client.post(f"/contacts/{contact.pk}/notes/", {"text": "  "}, **HTMX)
    assert response["HX-Retarget"] == "#note-form"
    assert response["HX-Reswap"] == "outerHTML"
    assert 'id="text-errors"' in _content(response)
    with alpha():
        assert not TimelineEvent.objects.filter(contact=contact, type="note.added").exists()


@pytest.mark.django_db
def test_adding_a_note_without_javascript_returns_to_the_page(staff_client):
    contact = ContactFactory()
    response = staff_client.post(f"/contacts/{contact.pk}/notes/", {"text": "Plain post"})
    assert response.status_code == 302
    assert response.url == f"/contacts/{contact.pk}/#timeline"
    bad = staff_client.post(f"/contacts/{contact.pk}/notes/", {"text": ""})
    assert bad.status_code == 400
    assert 'id="text-errors"' in _content(bad)


@pytest.mark.django_db
def test_logging_a_call_puts_it_on_the_timeline(staff_client):
    contact = ContactFactory()
    content = _content(
        staff_client.post(
            f"/contacts/{contact.pk}/calls/",
            {"summary": "Confirmed the crown fitting", "direction": "outbound"},
            **HTMX,
        )
    )
    assert "We called" in content and "Confirmed the crown fitting" in content
    assert '<form id="call-form"' in content


@pytest.mark.django_db
def test_adding_a_task_shows_it_with_its_assignee_and_due_date(staff_client, manager):
    contact = ContactFactory()
    response = staff_client.post(
        f"/contacts/{contact.pk}/tasks/",
        {"title": "Send the estimate", "due_date": "2030-01-15", "assignee": manager.pk},
        **HTMX,
    )
    content = _content(response)
    assert content.startswith('<section id="task-list"')
    assert "Send the estimate" in content and "due 15 Jan 2030" in content
    assert manager.name in content
    assert 'id="timeline" class="card" hx-swap-oob="true"' in content
    with alpha():
        task = Task.objects.get(contact=contact)
    assert (task.assignee_id, task.due_date) == (manager.pk, dt.date(2030, 1, 15))


@pytest.mark.django_db
def test_a_task_cannot_go_to_a_deactivated_member(staff_client):
    gone = UserFactory(is_active=False)
    contact = ContactFactory()
    response = staff_client.post(
        f"/contacts/{contact.pk}/tasks/", {"title": "T", "assignee": gone.pk}, **HTMX
    )
    assert 'id="assignee-errors"' in _content(response)
    with alpha():
        assert not Task.objects.filter(contact=contact).exists()


@pytest.mark.django_db
def test_marking_a_task_done_removes_it_from_the_open_tasks(staff_client):
    contact = ContactFactory()
    task = TaskFactory(contact=contact, title="Ring about the invoice")
    content = _content(staff_client.post(f"/contacts/{contact.pk}/tasks/{task.pk}/done/", **HTMX))
    assert "No open tasks." in content
    assert "Task done" in content  # the timeline, swapped out of band
    with alpha():
        task.refresh_from_db()
    assert task.done_at is not None


@pytest.mark.django_db
def test_a_task_of_another_contact_is_a_404(staff_client):
    task = TaskFactory()
    other = ContactFactory()
    assert staff_client.post(f"/contacts/{other.pk}/tasks/{task.pk}/done/").status_code == 404


@pytest.mark.django_db
def test_overdue_tasks_are_marked(owner_client):
    contact = ContactFactory()
    TaskFactory(contact=contact, title="Late one", due_date=timezone.localdate() - dt.timedelta(2))
    content = _content(owner_client.get(f"/contacts/{contact.pk}/"))
    assert '<span class="overdue">overdue · due' in content


@pytest.mark.django_db
def test_an_erased_contact_shows_a_notice_and_no_edit_actions(staff_client):
    contact = ContactFactory(
        first_name="", last_name="", email="", phone="", erased_at=timezone.now()
    )
    TaskFactory(contact=contact)
    content = _content(staff_client.get(f"/contacts/{contact.pk}/"))
    assert "This contact was erased." in content
    assert "/edit/" not in content
    assert 'id="note-form"' not in content
    assert "/tasks/" not in content and "/consent/" not in content
    response = staff_client.post(f"/contacts/{contact.pk}/notes/", {"text": "sneaky"})
    assert response.status_code == 403
    with alpha():
        assert not TimelineEvent.objects.filter(contact=contact, type="note.added").exists()


@pytest.mark.django_db
def test_viewer_reads_the_contact_page_without_write_controls(viewer_client):
    contact = ContactFactory(first_name="Visible")
    TaskFactory(contact=contact, title="Look but do not touch")
    content = _content(viewer_client.get(f"/contacts/{contact.pk}/"))
    assert "Visible" in content and "Look but do not touch" in content
    assert "<form" not in content.split('id="content"')[1]
    assert "/edit/" not in content


@pytest.mark.django_db
def test_an_unknown_contact_is_a_404(owner_client):
    assert owner_client.get("/contacts/999999/").status_code == 404


# --- roles and outsiders -------------------------------------------------------------------------
def _write_requests(contact, task):
    return [
        ("post", "/contacts/bulk/", {"ids": [contact.pk], "action": "add", "tag": "x"}),
        ("post", "/contacts/new/", {"first_name": "Intruder", "lifecycle_stage": "lead"}),
        ("get", "/contacts/new/", {}),
        (
            "post",
            f"/contacts/{contact.pk}/edit/",
            {"first_name": "Hacked", "lifecycle_stage": "lead"},
        ),
        ("get", f"/contacts/{contact.pk}/edit/", {}),
        ("post", f"/contacts/{contact.pk}/notes/", {"text": "x"}),
        ("post", f"/contacts/{contact.pk}/calls/", {"summary": "x", "direction": "inbound"}),
        ("post", f"/contacts/{contact.pk}/tasks/", {"title": "x"}),
        ("post", f"/contacts/{contact.pk}/tasks/{task.pk}/done/", {}),
        ("post", f"/contacts/{contact.pk}/consent/", {"channel": "sms", "status": "opted_in"}),
    ]


def _read_requests(contact):
    return [
        ("get", "/contacts/", {}),
        ("get", f"/contacts/{contact.pk}/", {}),
        ("get", f"/contacts/{contact.pk}/timeline/", {}),
    ]


def _nothing_changed(contact, task) -> None:
    with alpha():
        contact.refresh_from_db()
        task.refresh_from_db()
        assert (
            contact.first_name != "Hacked"
            and contact.tags == []
            and contact.sms_consent == "unknown"
        )
        assert task.done_at is None
        assert not Contact.objects.filter(first_name="Intruder").exists()
        assert not TimelineEvent.objects.filter(contact=contact).exists()
        assert Task.objects.filter(contact=contact).count() == 1


@pytest.mark.django_db
def test_viewer_is_refused_every_write(viewer_client):
    contact = ContactFactory()
    task = TaskFactory(contact=contact)
    for method, url, data in _write_requests(contact, task):
        response = getattr(viewer_client, method)(url, data)
        assert response.status_code == 403, url
    _nothing_changed(contact, task)


@pytest.mark.parametrize("client_name", ["staff_client", "manager_client", "owner_client"])
@pytest.mark.django_db
def test_staff_and_up_may_write(request, tenant, client_name):
    contact = ContactFactory()
    client = request.getfixturevalue(client_name)
    response = client.post(f"/contacts/{contact.pk}/notes/", {"text": f"by {client_name}"})
    assert response.status_code == 302
    with alpha():
        assert TimelineEvent.objects.filter(contact=contact, type="note.added").count() == 1


@pytest.mark.django_db
def test_the_outsider_is_sent_to_log_in_on_every_contact_url(outsider_client):
    contact = ContactFactory()
    task = TaskFactory(contact=contact)
    for method, url, data in [*_read_requests(contact), *_write_requests(contact, task)]:
        response = getattr(outsider_client, method)(url, data)
        assert response.status_code == 302, url
        assert response.url.startswith("/login/?next="), url
        assert b"Beta Repairs" not in response.content
    _nothing_changed(contact, task)


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(tenant_client):
    contact = ContactFactory()
    for url in ("/contacts/", f"/contacts/{contact.pk}/", "/contacts/new/"):
        response = tenant_client.get(url)
        assert response.status_code == 302
        assert response.url == f"/login/?next={url}"


# --- query counts --------------------------------------------------------------------------------
def _many_contacts():
    owners = UserFactory.create_batch(3)
    for n in range(120):
        ContactFactory(owner=owners[n % 3], tags=["vip", f"t{n % 7}"])
    SegmentFactory.create_batch(3)


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_the_rows(owner_client, django_assert_max_num_queries):
    _many_contacts()
    with django_assert_max_num_queries(LIST_QUERIES):
        response = owner_client.get("/contacts/")
    assert _content(response).count('name="ids"') == 50


@pytest.mark.django_db
def test_filtered_list_query_count_does_not_grow_with_the_rows(
    owner_client, django_assert_max_num_queries
):
    _many_contacts()
    with django_assert_max_num_queries(LIST_FILTERED_QUERIES):
        response = owner_client.get("/contacts/?tag=vip&sort=-updated", **HTMX)
    assert _content(response).count('name="ids"') == 50
    assert "120 contacts" in _content(response)


@pytest.mark.django_db
def test_contact_page_query_count_is_bounded(owner_client, owner, django_assert_max_num_queries):
    for key in ("one", "two", "three"):
        CustomFieldFactory(key=key, label=key.title())
    contact = ContactFactory(owner=owner, custom={"one": "1", "two": "2"})
    members = UserFactory.create_batch(4)
    for n in range(60):
        TimelineEventFactory(contact=contact, actor=members[n % 4] if n % 2 else None)
    for n in range(12):
        TaskFactory(contact=contact, assignee=members[n % 4], due_date=timezone.localdate())
    for n in range(8):
        services.consent_set(
            contact=contact,
            channel=("email", "sms")[n % 2],
            status=("opted_in", "opted_out")[(n // 2) % 2],
            method="form",
            actor=members[n % 4],
        )
    for _n in range(7):
        Transaction.objects.create(
            contact=contact, amount=Decimal("10"), currency="EUR", occurred_at=timezone.now()
        )
    with django_assert_max_num_queries(DETAIL_QUERIES):
        response = owner_client.get(f"/contacts/{contact.pk}/")
    content = _content(response)
    assert content.count('class="timeline__item') == 25
    assert len(re.findall(r'hx-post="/contacts/\d+/tasks/\d+/done/"', content)) == 12


@pytest.mark.django_db
def test_a_quick_action_query_count_is_bounded(staff_client, django_assert_max_num_queries):
    contact = ContactFactory()
    for _n in range(40):
        TimelineEventFactory(contact=contact)
    with django_assert_max_num_queries(NOTE_QUERIES):
        response = staff_client.post(f"/contacts/{contact.pk}/notes/", {"text": "x"}, **HTMX)
    assert response.status_code == 200


# --- home: the "My tasks" card -------------------------------------------------------------------
MY_TASKS = "/contacts/home/tasks/"


@pytest.mark.django_db
def test_my_tasks_card_lists_my_open_tasks_with_overdue_ones_in_red(
    staff_client, staff_member, owner
):
    contact = ContactFactory(first_name="Ada", last_name="Lovelace")
    today = timezone.localdate()
    TaskFactory(
        contact=contact,
        title="Late follow-up",
        assignee=staff_member,
        due_date=today - dt.timedelta(days=3),
    )
    TaskFactory(
        contact=contact,
        title="Future follow-up",
        assignee=staff_member,
        due_date=today + dt.timedelta(days=3),
    )
    TaskFactory(contact=contact, title="Someone else's", assignee=owner)
    TaskFactory(contact=contact, title="Finished", assignee=staff_member, done_at=timezone.now())
    content = _content(staff_client.get(MY_TASKS, **HTMX))
    assert '<section class="card home-card" id="home-contacts-tasks"' in content
    assert ">My tasks</h2>" in content
    assert f'<a href="/contacts/{contact.pk}/">Late follow-up</a>' in content
    assert "Future follow-up" in content and "Ada Lovelace" in content
    assert "Someone else" not in content and "Finished" not in content
    assert content.count("nowrap overdue") == 1
    assert content.index("Late follow-up") < content.index("Future follow-up")


@pytest.mark.django_db
def test_my_tasks_card_says_when_i_have_no_tasks(viewer_client):
    assert "Nothing on your list." in _content(viewer_client.get(MY_TASKS, **HTMX))


@pytest.mark.parametrize(
    ("client_name", "user_name"),
    [
        ("owner_client", "owner"),
        ("manager_client", "manager"),
        ("staff_client", "staff_member"),
        ("viewer_client", "viewer"),
    ],
)
@pytest.mark.django_db
def test_every_role_gets_its_own_tasks_card(request, client_name, user_name):
    user = request.getfixturevalue(user_name)
    TaskFactory(title=f"For {user.email}", assignee=user)
    TaskFactory(title="For nobody here")
    response = request.getfixturevalue(client_name).get(MY_TASKS, **HTMX)
    assert response.status_code == 200
    assert f"For {user.email}" in _content(response)
    assert "For nobody here" not in _content(response)


@pytest.mark.django_db
def test_my_tasks_address_opened_itself_leads_home(owner_client):
    response = owner_client.get(MY_TASKS)
    assert response.status_code == 302 and response.url == "/"


@pytest.mark.django_db
def test_my_tasks_card_is_not_open_to_the_outsider_or_anonymous(
    outsider_client, tenant_client, owner
):
    with alpha():
        TaskFactory(title="Alpha's secret task", assignee=owner)
    for client in (outsider_client, tenant_client):
        response = client.get(MY_TASKS, **HTMX)
        assert response.status_code == 302
        assert response.url == f"/login/?next={MY_TASKS}"
        assert b"secret task" not in response.content


@pytest.mark.django_db
def test_my_tasks_query_count_stays_bounded(
    staff_client, staff_member, django_assert_max_num_queries
):
    for contact in ContactFactory.create_batch(15):
        TaskFactory(contact=contact, assignee=staff_member)
    with django_assert_max_num_queries(TASKS_QUERIES):
        response = staff_client.get(MY_TASKS, **HTMX)
    assert _content(response).count('<li class="list__item">') == 10


@pytest.mark.django_db
def test_navigation_has_the_contacts_entry(viewer_client):
    content = _content(viewer_client.get("/contacts/"))
    link = re.search(
        r'<a href="/contacts/" class="nav__link is-current"[^>]*>(.*?)</a>', content, re.S
    )
    assert link and "<span>Contacts</span>" in link.group(1) and "<svg" in link.group(1)


# --- links to the data pages (another area's) ----------------------------------------------------
@pytest.mark.django_db
def test_a_filtered_list_offers_to_export_what_it_shows(staff_client):
    ContactFactory(tags=["vip"])
    content = _content(staff_client.get("/contacts/?tag=vip&page=1&sort=name", **HTMX))
    if _url_exists("contacts:contact_export"):
        assert f'href="{reverse("contacts:contact_export")}?tag=vip">Export these' in content
    else:
        assert "Export these" not in content


@pytest.mark.django_db
def test_contact_page_offers_the_privacy_actions_to_staff_only(staff_client, viewer_client):
    contact = ContactFactory()
    if not _url_exists("contacts:contact_export"):
        pytest.skip("the data pages are not there yet")
    assert 'id="privacy-actions"' in _content(staff_client.get(f"/contacts/{contact.pk}/"))
    assert 'id="privacy-actions"' not in _content(viewer_client.get(f"/contacts/{contact.pk}/"))


@pytest.mark.django_db
def test_behavioural_events_read_as_sentences(owner_client):
    contact = ContactFactory()
    TimelineEventFactory(contact=contact, type="page.viewed", properties={"path": "/whitening"})
    TimelineEventFactory(contact=contact, type="form.submitted", properties={"path": "/book"})
    content = _content(owner_client.get(f"/contacts/{contact.pk}/"))
    assert "Viewed a page" in content and "/whitening" in content
    assert "Sent a form" in content and "/book" in content
    assert "<code>page.viewed</code>" not in content
