import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from apps.contacts.models import Contact, ImportJob, TimelineEvent
from apps.contacts.services.imports import import_run, import_start, import_upload
from tests.contacts.factories import ContactFactory, CustomFieldFactory, SegmentFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
CSV = "First name,Email,City\nAnna,anna@example.test,Bonn\nBea,bad-email,Ulm\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _file(content=CSV, name="people.csv"):
    return SimpleUploadedFile(name, content.encode(), "text/csv")


@pytest.fixture
def job(tenant, owner):
    return import_upload(file=_file(), actor=owner)


def _done(job, owner):
    mapping = {"First name": "first_name", "Email": "email", "City": "city"}
    import_start(job=job, mapping=mapping, on_match="update", actor=owner)
    return import_run(job_id=job.pk)


def _rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


# --- who may open what -------------------------------------------------------------------------
def _urls(job, contact):
    return [
        ("get", "/contacts/import/"),
        ("post", "/contacts/import/"),
        ("get", f"/contacts/import/{job.pk}/mapping/"),
        ("post", f"/contacts/import/{job.pk}/mapping/"),
        ("get", f"/contacts/import/{job.pk}/"),
        ("get", "/contacts/export/"),
        ("get", f"/contacts/{contact.pk}/privacy/export/"),
        ("post", f"/contacts/{contact.pk}/erase/"),
        ("get", "/contacts/duplicates/"),
        ("post", "/contacts/duplicates/merge/"),
    ]


def test_outsider_is_sent_to_login_on_every_data_page(outsider_client, job):
    contact = ContactFactory()
    for method, path in _urls(job, contact):
        response = getattr(outsider_client, method)(path)
        assert response.status_code == 302, path
        assert response.url.startswith("/login/?next="), path
    contact.refresh_from_db()
    assert contact.erased_at is None


def test_anonymous_visitor_is_sent_to_login_on_every_data_page(tenant_client, job):
    contact = ContactFactory()
    for method, path in _urls(job, contact):
        assert getattr(tenant_client, method)(path).status_code == 302, path


def test_viewer_cannot_import_export_erase_or_merge(viewer_client, job):
    contact, twin = ContactFactory(first_name="Anna"), ContactFactory(first_name="Anna")
    refused = [
        ("get", "/contacts/import/", {}),
        ("post", "/contacts/import/", {"file": _file()}),
        ("get", f"/contacts/import/{job.pk}/mapping/", {}),
        ("get", "/contacts/export/", {}),
        ("get", f"/contacts/{contact.pk}/privacy/export/", {}),
        ("post", f"/contacts/{contact.pk}/erase/", {}),
        (
            "post",
            "/contacts/duplicates/merge/",
            {"ids": [contact.pk, twin.pk], "survivor": contact.pk},
        ),
    ]
    for method, path, data in refused:
        assert getattr(viewer_client, method)(path, data).status_code == 403, path
    assert Contact.objects.count() == 2 and not Contact.objects.filter(erased_at__isnull=False)
    assert viewer_client.get("/contacts/duplicates/").status_code == 200
    assert viewer_client.get(f"/contacts/import/{job.pk}/").status_code == 200


def test_staff_cannot_erase(staff_client):
    contact = ContactFactory()
    assert staff_client.post(f"/contacts/{contact.pk}/erase/").status_code == 403
    contact.refresh_from_db()
    assert contact.erased_at is None


# --- import ------------------------------------------------------------------------------------
def test_upload_then_mapping_then_start(
    staff_client, staff_member, django_capture_on_commit_callbacks
):
    page = staff_client.get("/contacts/import/")
    assert page.status_code == 200 and 'type="file"' in page.content.decode()
    response = staff_client.post("/contacts/import/", {"file": _file()})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == f"/contacts/import/{job.pk}/mapping/"
    assert job.created_by == staff_member and job.total_rows == 2

    mapping = staff_client.get(response.url).content.decode()
    assert '<option value="first_name" selected>' in mapping
    assert '<option value="email" selected>' in mapping
    assert "anna@example.test" in mapping and "bad-email" in mapping  # the preview
    assert 'name="on_match" value="update"' in mapping

    with django_capture_on_commit_callbacks() as callbacks:
        response = staff_client.post(
            f"/contacts/import/{job.pk}/mapping/",
            {"col-0": "first_name", "col-1": "email", "col-2": "", "on_match": "skip"},
        )
    assert response.status_code == 302 and response.url == f"/contacts/import/{job.pk}/"
    job.refresh_from_db()
    assert (job.mapping, job.on_match) == ({"First name": "first_name", "Email": "email"}, "skip")
    assert len(callbacks) == 1


def test_a_file_that_is_not_csv_is_refused_on_the_page(staff_client):
    upload = SimpleUploadedFile("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "text/csv")
    response = staff_client.post("/contacts/import/", {"file": upload})
    assert response.status_code == 200
    assert "This is not a CSV file" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_mapping_without_a_name_email_or_phone_shows_the_error(staff_client, job):
    response = staff_client.post(
        f"/contacts/import/{job.pk}/mapping/", {"col-0": "", "col-1": "", "col-2": "city"}
    )
    assert response.status_code == 200
    assert "Map at least a name, an email or a phone column." in response.content.decode()
    job.refresh_from_db()
    assert job.mapping == {}


def test_a_running_import_polls_its_progress_every_second(viewer_client, job, owner):
    ImportJob.objects.filter(pk=job.pk).update(
        mapping={"Email": "email"}, status="running", processed_rows=1
    )
    page = viewer_client.get(f"/contacts/import/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page and 'id="import-progress"' in page
    assert 'value="1"' in page and "1 of 2 rows (50%)" in page
    partial = viewer_client.get(f"/contacts/import/{job.pk}/", **HTMX).content.decode()
    assert partial.startswith('<div id="import-progress"') and "<html" not in partial


def test_a_finished_import_stops_polling_and_lists_the_rejected_rows(viewer_client, job, owner):
    _done(job, owner)
    page = viewer_client.get(f"/contacts/import/{job.pk}/", **HTMX).content.decode()
    assert "every 1s" not in page
    assert "1 row was not imported" in page
    assert '<td data-label="Line">3</td>' in page
    assert "Email: Enter a valid email address." in page  # the column, as the file names it


def test_a_started_import_does_not_show_its_mapping_again(staff_client, job, owner):
    _done(job, owner)
    response = staff_client.get(f"/contacts/import/{job.pk}/mapping/")
    assert response.status_code == 302 and response.url == f"/contacts/import/{job.pk}/"


def test_import_pages_are_for_this_business_only(staff_client, other_tenant):
    with schema_context(other_tenant.schema_name):
        theirs = ImportJob.objects.create(original_name="theirs.csv", file="imports/x.csv")
    assert staff_client.get(f"/contacts/import/{theirs.pk}/").status_code == 404


# --- export ------------------------------------------------------------------------------------
def test_export_streams_every_contact_in_bounded_queries(
    staff_client, django_assert_max_num_queries
):
    CustomFieldFactory(key="plan", label="Plan")
    Contact.objects.bulk_create(ContactFactory.build_batch(2999, custom={}))
    ContactFactory(first_name="=cmd", custom={"plan": "gold"}, tags=["vip", "recall"])
    with django_assert_max_num_queries(10):
        response = staff_client.get("/contacts/export/")
        rows = _rows(response)
    assert response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="contacts-')
    header = rows[0]
    assert header[:4] == ["id", "first_name", "last_name", "email"] and header[-1] == "custom.plan"
    assert len(rows) == 3001
    special = next(r for r in rows if r[-1] == "gold")
    assert special[1] == "'=cmd"  # a spreadsheet does not run it as a formula
    assert special[header.index("tags")] == "vip, recall"
    assert special[header.index("phone")].startswith("+1312555")  # phones stay as they are


def test_export_follows_the_list_filters_and_ids(staff_client):
    vip = ContactFactory(first_name="Vera", tags=["vip"])
    other = ContactFactory(first_name="Otto", lifecycle_stage="customer")
    assert [r[1] for r in _rows(staff_client.get("/contacts/export/?tag=vip"))[1:]] == ["Vera"]
    assert [r[1] for r in _rows(staff_client.get("/contacts/export/?stage=customer"))[1:]] == [
        "Otto"
    ]
    assert [r[1] for r in _rows(staff_client.get("/contacts/export/?q=ver"))[1:]] == ["Vera"]
    ids = f"{vip.pk},{other.pk},x"
    assert len(_rows(staff_client.get(f"/contacts/export/?ids={ids}"))) == 3


def test_export_of_a_static_segment(staff_client):
    from apps.contacts.models import SegmentMember

    segment = SegmentFactory(kind="static")
    member = ContactFactory(first_name="Mia")
    ContactFactory(first_name="Nobody")
    SegmentMember.objects.create(segment=segment, contact=member)
    rows = _rows(staff_client.get(f"/contacts/export/?segment={segment.pk}"))
    assert [r[1] for r in rows[1:]] == ["Mia"]


def test_an_export_imports_back_without_changes(tenant, owner, staff_client):
    ContactFactory(first_name="Jürgen", email="j@example.test", tags=["vip"], city="Köln")
    text = b"".join(staff_client.get("/contacts/export/").streaming_content)
    job = import_upload(file=SimpleUploadedFile("back.csv", text, "text/csv"), actor=owner)
    from apps.contacts.services.imports import import_preview

    mapping = {c["name"]: c["target"] for c in import_preview(job)["columns"]}
    assert mapping["email"] == "email" and mapping["tags"] == "tags"
    import_start(job=job, mapping=mapping, on_match="update", actor=owner)
    job = import_run(job_id=job.pk)
    assert (job.updated_count, job.created_count, job.errors) == (1, 0, [])
    assert not TimelineEvent.objects.filter(type="contact.updated").exists()  # nothing changed


# --- privacy -----------------------------------------------------------------------------------
def test_privacy_export_downloads_json(staff_client):
    contact = ContactFactory(first_name="Anna", email="anna@example.test")
    response = staff_client.get(f"/contacts/{contact.pk}/privacy/export/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="contact-{contact.pk}.json"'
    assert json.loads(response.content)["profile"]["email"] == "anna@example.test"


def test_manager_erases_a_contact(manager_client):
    contact = ContactFactory(first_name="Anna")
    response = manager_client.post(f"/contacts/{contact.pk}/erase/", **HTMX)
    assert response.status_code == 200 and response["HX-Redirect"] == f"/contacts/{contact.pk}/"
    contact.refresh_from_db()
    assert contact.erased_at is not None and contact.first_name == "Erased"
    assert manager_client.get(f"/contacts/{contact.pk}/erase/").status_code == 405


def test_privacy_actions_partial_confirms_before_erasing(rf, manager, tenant):
    from django.template.loader import render_to_string

    contact = ContactFactory(first_name="Anna")
    html = render_to_string("contacts/_privacy_actions.html", {"contact": contact, "user": manager})
    assert "Download data (JSON)" in html and "hx-confirm=" in html
    assert f'hx-post="/contacts/{contact.pk}/erase/"' in html


def test_privacy_actions_partial_hides_erase_from_staff(staff_member, tenant):
    from django.template.loader import render_to_string

    contact = ContactFactory()
    html = render_to_string(
        "contacts/_privacy_actions.html", {"contact": contact, "user": staff_member}
    )
    assert "Download data (JSON)" in html and "/erase/" not in html


# --- duplicates --------------------------------------------------------------------------------
def test_duplicates_page_lists_groups_in_bounded_queries(
    viewer_client, django_assert_max_num_queries
):
    for index in range(20):
        ContactFactory.create_batch(2, first_name=f"Twin{index}", last_name="Doe")
    with django_assert_max_num_queries(10):
        response = viewer_client.get("/contacts/duplicates/")
    page = response.content.decode()
    assert page.count('class="card duplicate-group"') == 20
    assert "Same name" in page and 'type="radio"' not in page  # viewers cannot merge


def test_staff_merges_a_group_from_the_page(staff_client):
    keep = ContactFactory(first_name="Anna", last_name="Roe")
    other = ContactFactory(first_name="anna", last_name="ROE")
    page = staff_client.get("/contacts/duplicates/").content.decode()
    assert 'name="survivor"' in page and "hx-confirm=" in page
    response = staff_client.post(
        "/contacts/duplicates/merge/", {"ids": [keep.pk, other.pk], "survivor": keep.pk}, **HTMX
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert content.startswith('<div id="duplicate-list">') and "Merged 2 contacts" in content
    assert list(Contact.objects.values_list("pk", flat=True)) == [keep.pk]


def test_merge_without_a_survivor_changes_nothing(staff_client):
    one, two = ContactFactory.create_batch(2, first_name="Anna", last_name="Roe")
    response = staff_client.post("/contacts/duplicates/merge/", {"ids": [one.pk, two.pk]})
    assert response.status_code == 302
    assert Contact.objects.count() == 2
