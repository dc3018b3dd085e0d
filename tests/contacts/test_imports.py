import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.contacts.models import ConsentEvent, Contact, ImportJob, TimelineEvent
from apps.contacts.services import imports
from apps.contacts.services.imports import (
    import_mapping_guess,
    import_preview,
    import_run,
    import_start,
    import_upload,
)
from apps.contacts.tasks import import_run_task
from tests.contacts.factories import ContactFactory, CustomFieldFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _upload(content, owner, name="people.csv") -> ImportJob:
    raw = content.encode() if isinstance(content, str) else content
    return import_upload(file=SimpleUploadedFile(name, raw, "text/csv"), actor=owner)


def _import(content, owner, on_match="update", mapping=None) -> ImportJob:
    job = _upload(content, owner)
    if mapping is None:
        mapping = {c["name"]: c["target"] for c in import_preview(job)["columns"]}
    import_start(job=job, mapping=mapping, on_match=on_match, actor=owner)
    return import_run(job_id=job.pk)


def _refusal(content, owner) -> str:
    with pytest.raises(ValidationError) as caught:
        _upload(content, owner)
    return " ".join(caught.value.message_dict["file"])


# --- the file ----------------------------------------------------------------------------------
def test_a_file_with_bad_rows_imports_the_good_ones_and_reports_each_bad_line(tenant, owner):
    job = _import(
        "first name,last name,email,phone,birthday\n"
        "Anna,Schmidt,anna@example.test,0151 23456789,1980-05-17\n"  # line 2: good
        "Bert,Bad,not-an-email,,\n"  # line 3
        "Carl,Call,,12,\n"  # line 4
        ",,,,\n"  # blank: ignored, but still counted in line numbers
        "Dora,Day,dora@example.test,,2999-01-01\n"  # line 6
        "Emil,Ok,emil@example.test,,\n",  # line 7: good
        owner,
    )
    assert job.status == "done"
    assert (job.total_rows, job.processed_rows, job.created_count) == (5, 5, 2)
    assert set(Contact.objects.values_list("email", flat=True)) == {
        "anna@example.test",
        "emil@example.test",
    }
    assert [(e["line"], e["fields"]) for e in job.errors] == [
        (3, ["email"]),
        (4, ["phone"]),
        (6, ["birthday"]),
    ]
    assert job.errors[0]["reason"] == "email: Enter a valid email address."
    assert job.errors[2]["reason"].startswith("birthday: A birthday cannot be in the future")


def test_every_bad_field_of_a_row_is_named_in_its_reason(tenant, owner):
    job = _import("first name,email,country\nAnna,nope,Narnia\n", owner)
    assert job.errors == [
        {
            "line": 2,
            "fields": ["country", "email"],
            "reason": "country: Use a two-letter country code (e.g. US) or the country's name; "
            "email: Enter a valid email address.",
        }
    ]


def test_a_row_without_name_email_or_phone_is_rejected(tenant, owner):
    job = _import("first name,city\n,Berlin\nAnna,Berlin\n", owner)
    assert job.created_count == 1
    assert job.errors[0]["line"] == 2 and job.errors[0]["fields"] == ["first_name"]


def test_a_row_with_more_cells_than_the_header_is_rejected(tenant, owner):
    job = _import("first name,email\nAnna,a@example.test,extra\nBea,b@example.test\n", owner)
    assert job.created_count == 1
    assert job.errors[0]["line"] == 2 and "header has 2" in job.errors[0]["reason"]


def test_a_quoted_cell_over_two_lines_keeps_the_next_line_numbers_right(tenant, owner):
    job = _import('first name,address\nAnna,"Main St 1\nBack house"\nBea,x\n,\nCem,y\n', owner)
    assert job.created_count == 3
    assert Contact.objects.get(first_name="Anna").address_line == "Main St 1\nBack house"
    job = _import('first name,email\nAnna,"a\nb"\nBea,bad\n', owner)
    assert [e["line"] for e in job.errors] == [2, 4]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "not a CSV file"),
        (b"%PDF-1.4\n\x00\x00\xff\xfe binary", "not a CSV file"),
        ("first name,city\nJürgen,Köln\n".encode("latin-1"), "not UTF-8"),
        ("\ufefffirst name\nA\n".encode("utf-16"), "not a CSV file"),
        (b"", "empty"),
        (b"\n\n", "empty"),
        (b"first name,email\n", "no rows"),
        (b"Anna,Schmidt,anna@example.test\nBea,B,b@example.test\n", "looks like data"),
        (b"name,email,email\nA,a@x.test,b@x.test\n", "appears twice"),
    ],
)
def test_a_file_that_is_not_a_usable_csv_is_refused_with_a_message(tenant, owner, content, message):
    assert message in _refusal(content, owner)
    assert not ImportJob.objects.exists()


def test_a_file_over_20_mb_is_refused(tenant, owner, monkeypatch):
    monkeypatch.setattr(imports, "IMPORT_MAX_BYTES", 100)
    assert "larger than 20 MB" in _refusal("first name\n" + "Anna\n" * 30, owner)


def test_utf8_with_bom_and_semicolons_are_read(tenant, owner):
    job = _import(
        "\ufeffVorname;Nachname;E-Mail;PLZ\nJürgen;Müller;j@example.test;50667\n".encode(), owner
    )
    contact = Contact.objects.get()
    assert (contact.first_name, contact.last_name, contact.email, contact.postal_code) == (
        "Jürgen",
        "Müller",
        "j@example.test",
        "50667",
    )
    assert job.mapping == {
        "Vorname": "first_name",
        "Nachname": "last_name",
        "E-Mail": "email",
        "PLZ": "postal_code",
    }


def test_new_contacts_get_the_business_defaults_and_an_imported_event(tenant, owner):
    job = _import('first name,phone,tags\nAnna,030 1234567,"VIP, import"\n', owner)
    contact = Contact.objects.get()
    assert contact.phone == "+49301234567" and contact.phone_national == "301234567"
    assert (contact.source, contact.time_zone, contact.tags) == (
        "import",
        "Europe/Berlin",
        ["vip", "import"],
    )
    event = TimelineEvent.objects.get(contact=contact)
    assert (event.type, event.source, event.actor, event.properties["import_id"]) == (
        "contact.imported",
        "import",
        owner,
        job.pk,
    )


def test_the_row_by_row_path_keeps_a_source_column_too(tenant, owner, monkeypatch):
    """When a concurrent edit makes the bulk write fail, rows go one by one through the
    services, with the same result."""
    from django.db import IntegrityError

    from apps.contacts.services import import_rows

    def concurrent_edit(*args, **kwargs):
        raise IntegrityError("a concurrent edit took an email")

    monkeypatch.setattr(import_rows, "_write_bulk", concurrent_edit)
    _import("first name,source\nAnna,Fair 2026\nBen,\n", owner)
    contacts = dict(Contact.objects.values_list("first_name", "source"))
    assert contacts == {"Anna": "Fair 2026", "Ben": "import"}
    assert set(TimelineEvent.objects.values_list("source", flat=True)) == {"import"}


# --- matching ----------------------------------------------------------------------------------
def test_a_matching_email_updates_the_contact_when_asked(tenant, owner):
    existing = ContactFactory(email="anna@example.test", city="Bonn", tags=["old"])
    job = _import("email,city,tags,last name\nANNA@example.test,Köln,new,\n", owner)
    existing.refresh_from_db()
    assert (job.created_count, job.updated_count) == (0, 1)
    assert existing.city == "Köln" and existing.tags == ["old", "new"]
    assert existing.last_name  # an empty cell changes nothing
    event = TimelineEvent.objects.get(contact=existing, type="contact.updated")
    assert event.properties["fields"] == ["city", "tags"]


def test_a_matching_phone_is_skipped_when_asked(tenant, owner):
    existing = ContactFactory(phone="+49301234567", phone_national="301234567", city="Bonn")
    job = _import("phone,city\n030 1234567,Köln\n", owner, on_match="skip")
    existing.refresh_from_db()
    assert (job.created_count, job.updated_count, job.skipped_count) == (0, 0, 1)
    assert existing.city == "Bonn"


def test_email_of_one_contact_and_phone_of_another_is_rejected(tenant, owner):
    ContactFactory(email="anna@example.test")
    ContactFactory(phone="+49301234567")
    job = _import("email,phone\nanna@example.test,030 1234567\n", owner)
    assert job.errors[0]["fields"] == ["phone"]
    assert "Another contact" in job.errors[0]["reason"]


@pytest.mark.parametrize(
    ("on_match", "city", "counts"),
    [
        ("update", "Köln", (2, 1, 0)),
        ("skip", "Bonn", (2, 0, 1)),
    ],
)
def test_the_second_row_of_the_same_person_updates_or_is_skipped(
    tenant, owner, on_match, city, counts
):
    job = _import(
        "first name,email,city\nAnna,anna@example.test,Bonn\nBea,bea@example.test,Ulm\n"
        "Anna,ANNA@example.test,Köln\n",
        owner,
        on_match=on_match,
    )
    assert Contact.objects.filter(email="anna@example.test").get().city == city
    assert (job.created_count, job.updated_count, job.skipped_count) == counts
    assert Contact.objects.count() == 2


def test_rows_of_the_same_person_across_chunks_are_matched_too(tenant, owner, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    rows = "".join(f"P{i},p{i}@example.test\n" for i in range(5))
    job = _import(f"first name,email\n{rows}Again,p0@example.test\n", owner)
    assert (job.created_count, job.updated_count, Contact.objects.count()) == (5, 1, 5)
    assert Contact.objects.get(email="p0@example.test").first_name == "Again"


# --- consent and custom fields -----------------------------------------------------------------
def test_consent_columns_are_recorded_as_import_history(tenant, owner):
    existing = ContactFactory(email="old@example.test", email_consent="opted_in")
    _import(
        "email,email_consent,sms consent\nnew@example.test,yes,no\nold@example.test,opted out,\n",
        owner,
    )
    new = Contact.objects.get(email="new@example.test")
    assert (new.email_consent, new.sms_consent, new.voice_consent) == (
        "opted_in",
        "opted_out",
        "unknown",
    )
    history = ConsentEvent.objects.filter(contact=new).order_by("channel")
    assert [(e.channel, e.status, e.previous_status, e.method, e.actor) for e in history] == [
        ("email", "opted_in", "unknown", "import", owner),
        ("sms", "opted_out", "unknown", "import", owner),
    ]
    existing.refresh_from_db()
    assert existing.email_consent == "opted_out"
    change = ConsentEvent.objects.get(contact=existing)
    assert (change.previous_status, change.status, change.method) == (
        "opted_in",
        "opted_out",
        "import",
    )
    assert TimelineEvent.objects.filter(contact=existing, type="consent.changed").exists()


def test_a_consent_value_we_cannot_read_names_the_column(tenant, owner):
    job = _import("email,sms_consent\na@example.test,maybe\n", owner)
    assert job.errors[0]["fields"] == ["sms_consent"]


def test_custom_field_columns_are_checked_against_their_definition(tenant, owner):
    CustomFieldFactory(key="shoe_size", label="Shoe size", type="number")
    job = _import("first name,Shoe size\nAnna,41.5\nBea,big\n", owner)
    assert Contact.objects.get(first_name="Anna").custom == {"shoe_size": 41.5}
    assert job.errors == [
        {"line": 3, "fields": ["custom.shoe_size"], "reason": "Shoe size: Enter a number."}
    ]


def test_a_required_custom_field_missing_rejects_a_new_contact(tenant, owner):
    CustomFieldFactory(key="plan", label="Plan", type="text", required=True)
    job = _import("first name,custom.plan\nAnna,gold\nBea,\n", owner)
    assert job.created_count == 1
    assert job.errors[0]["line"] == 3 and job.errors[0]["fields"] == ["custom.plan"]


# --- mapping -----------------------------------------------------------------------------------
def test_headers_are_mapped_automatically_whatever_their_spelling(tenant):
    renewal = CustomFieldFactory(key="renewal_date", label="Contract renewal", type="date")
    columns = [
        "First Name",
        "SURNAME",
        "E-mail",
        "Cell",
        "Zip",
        "country",
        "Birthday",
        "Tags",
        "Language",
        "Lifecycle stage",
        "Source",
        "custom.renewal_date",
        "Contract Renewal",
        "Notes",
        "email_consent",
    ]
    assert import_mapping_guess(columns, custom_fields=[renewal]) == {
        "First Name": "first_name",
        "SURNAME": "last_name",
        "E-mail": "email",
        "Cell": "phone",
        "Zip": "postal_code",
        "country": "country",
        "Birthday": "birthday",
        "Tags": "tags",
        "Language": "language",
        "Lifecycle stage": "lifecycle_stage",
        "Source": "source",
        "custom.renewal_date": "custom.renewal_date",
        "Notes": "note",
        "email_consent": "email_consent",
    }


def test_the_preview_shows_the_first_five_rows_with_the_guessed_fields(tenant, owner):
    rows = "".join(f"P{i},p{i}@example.test\n" for i in range(8))
    preview = import_preview(_upload(f"Given name,Mail\n{rows}", owner))
    assert [c["target"] for c in preview["columns"]] == ["first_name", "email"]
    assert [r[0] for r in preview["rows"]] == ["P0", "P1", "P2", "P3", "P4"]
    assert preview["columns"][1]["samples"][0] == "p0@example.test"


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"city": "city"}, "Map at least a name"),
        ({"first": "first_name", "city": "first_name"}, "chosen for two columns"),
        ({"first": "password"}, "not a field"),
    ],
)
def test_a_mapping_that_cannot_work_is_refused(tenant, owner, mapping, message):
    job = _upload("first,city\nAnna,Bonn\n", owner)
    with pytest.raises(ValidationError) as caught:
        import_start(job=job, mapping=mapping, on_match="update", actor=owner)
    assert message in " ".join(caught.value.messages)
    job.refresh_from_db()
    assert job.mapping == {}


def test_an_import_starts_once(tenant, owner, django_capture_on_commit_callbacks):
    job = _upload("first,city\nAnna,Bonn\n", owner)
    with django_capture_on_commit_callbacks() as callbacks:
        import_start(job=job, mapping={"first": "first_name"}, on_match="skip", actor=owner)
    assert len(callbacks) == 1  # the task is sent after commit
    with pytest.raises(ValidationError):
        import_start(job=job, mapping={"first": "first_name"}, on_match="skip", actor=owner)


# --- the run -----------------------------------------------------------------------------------
def test_progress_is_saved_with_every_chunk(tenant, owner, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    seen = []
    flush = imports.rows_flush

    def spy(**kwargs):
        flush(**kwargs)
        seen.append(ImportJob.objects.get(pk=kwargs["job"].pk).processed_rows)

    monkeypatch.setattr(imports, "rows_flush", spy)
    rows = "".join(f"P{i}\n" for i in range(5))
    job = _import(f"first name\n{rows}", owner)
    assert seen == [2, 4, 5]
    assert job.processed_rows == job.total_rows == 5


def test_the_task_runs_the_import_and_a_second_run_changes_nothing(tenant, owner):
    job = _upload("first name,email\nAnna,a@example.test\nBea,b@example.test\n", owner)
    import_start(
        job=job,
        mapping={"first name": "first_name", "email": "email"},
        on_match="update",
        actor=owner,
    )
    import_run_task(job_id=job.pk)
    import_run_task(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.created_count, Contact.objects.count()) == ("done", 2, 2)
    assert TimelineEvent.objects.filter(type="contact.imported").count() == 2


def test_a_rerun_after_a_crash_continues_after_the_last_saved_chunk(tenant, owner):
    job = _upload("first name\nA\nB\nC\n", owner)
    import_start(job=job, mapping={"first name": "first_name"}, on_match="update", actor=owner)
    ContactFactory(first_name="A")  # as if the first chunk (row A) had been imported...
    ImportJob.objects.filter(pk=job.pk).update(status="running", processed_rows=1, created_count=1)
    job = import_run(job_id=job.pk)
    assert sorted(Contact.objects.values_list("first_name", flat=True)) == ["A", "B", "C"]
    assert (job.processed_rows, job.created_count) == (3, 3)


def test_the_uploaded_file_is_deleted_once_imported(tenant, owner, tmp_path):
    job = _upload("first name\nA\n", owner)
    stored = tmp_path / job.file.name
    assert stored.exists() and stored.name != "people.csv"  # a random, unguessable name
    import_start(job=job, mapping={"first name": "first_name"}, on_match="update", actor=owner)
    job = import_run(job_id=job.pk)
    assert not stored.exists() and not job.file


def test_a_missing_or_unmapped_job_is_left_alone(tenant, owner):
    assert import_run(job_id=999999) is None
    job = _upload("first name\nA\n", owner)
    assert import_run(job_id=job.pk).status == "pending"
    assert not Contact.objects.exists()
