"""CSV import of contacts: upload checks, header auto-mapping, and the background run that
validates every row with the same rules as `contact_create`/`contact_update` and writes in
chunks of 1,000 (bulk reads for matching, bulk writes), reporting each rejected row by line.

Flow: `import_upload` (refuses what is not CSV) -> the mapping page (`import_mapping_guess`,
`import_preview`) -> `import_start` (saves the mapping, queues the task) -> `import_run`.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import uuid
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import CustomField, ImportJob, ImportStatus
from .custom_fields import KEY_PATTERN, custom_field_create
from .import_formats import FIELD_ALIASES, IGNORED, NEW_CUSTOM, file_defaults_guess
from .import_rows import IDENTITY, Progress, Row, RowCleaner, Superseded, rows_flush

if TYPE_CHECKING:
    from apps.accounts.models import User

IMPORT_MAX_BYTES = 20 * 1024 * 1024
CHUNK_ROWS = 1000
PREVIEW_ROWS = 5
ON_MATCH = ("update", "skip")
SNIFF_BYTES = 64 * 1024

FIELD_LABELS = {
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "email": gettext_lazy("Email"),
    "phone": gettext_lazy("Mobile phone"),
    "address_line": gettext_lazy("Address"),
    "city": gettext_lazy("City"),
    "postal_code": gettext_lazy("Postal code"),
    "country": gettext_lazy("Country"),
    "birthday": gettext_lazy("Birthday"),
    "tags": gettext_lazy("Tags"),
    "language": gettext_lazy("Language"),
    "time_zone": gettext_lazy("Time zone"),
    "preferred_channel": gettext_lazy("Preferred channel"),
    "lifecycle_stage": gettext_lazy("Lifecycle stage"),
    "source": gettext_lazy("Source"),
    "email_consent": gettext_lazy("Email consent"),
    "sms_consent": gettext_lazy("SMS consent"),
    "voice_consent": gettext_lazy("Voice consent"),
    "address_line_2": gettext_lazy("Address, second line"),
    "note": gettext_lazy("Note (on the timeline)"),
    "email_marketing": gettext_lazy("Email marketing: subscribed or not"),
    "sms_marketing": gettext_lazy("SMS marketing: subscribed or not"),
    "email_unsubscribed": gettext_lazy("Unsubscribed from all email (true/false)"),
    "email_marketing_opt_out": gettext_lazy("Opted out of marketing email (true/false)"),
    "optin_time": gettext_lazy("Marketing opt-in time (proof)"),
    "optin_ip": gettext_lazy("Marketing opt-in IP address (proof)"),
    "confirm_time": gettext_lazy("Marketing opt-in confirmed at (proof)"),
    "confirm_ip": gettext_lazy("Marketing opt-in confirmation IP (proof)"),
}
# What a file can say about everyone in it (a Mailchimp "subscribed" export).
FILE_DEFAULTS = {
    "email_marketing": ("subscribed", "unsubscribed"),
    "sms_marketing": ("subscribed", "unsubscribed"),
}
_DATA_LIKE = re.compile(r"^[\d\s+().:/-]{3,}$")


# --- reading the file --------------------------------------------------------------------------
def _decode(raw: bytes) -> str:
    """The file as text, or a ValidationError on `file` saying why it is not a CSV we read."""
    if not raw.strip():
        raise ValidationError({"file": _("The file is empty.")})
    if b"\x00" in raw[:8192]:
        raise ValidationError(
            {
                "file": _(
                    "This is not a CSV file (it looks like a spreadsheet or another binary "
                    "file). Save it as “CSV UTF-8” and upload that."
                )
            }
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            {
                "file": _(
                    "The file is not UTF-8 text. Save it as “CSV UTF-8 (comma delimited)” "
                    "and upload it again."
                )
            }
        ) from exc


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    sample = text[:SNIFF_BYTES]
    if len(text) > SNIFF_BYTES and "\n" in sample:
        sample = sample[: sample.rfind("\n")]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel  # one column, or nothing the sniffer can tell: commas


def _records(text: str):
    """(line number where the record starts, cells) for each non-blank record; the header is
    the first one, on line 1 unless blank lines precede it."""
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text))
    previous_line = 0
    try:
        for cells in reader:
            start = previous_line + 1
            previous_line = reader.line_num
            if not cells or not any(cell.strip() for cell in cells):
                continue
            yield start, cells
    except csv.Error as exc:
        raise ValidationError(
            {
                "file": _("Line %(line)s cannot be read as CSV (%(error)s).")
                % {"line": previous_line + 1, "error": exc}
            }
        ) from exc


def _columns(header: list[str]) -> list[str]:
    """Column names as stored in the mapping; an unnamed column gets a stand-in name."""
    return [
        cell.strip() or _("(column %(n)s)") % {"n": index + 1} for index, cell in enumerate(header)
    ]


def _header_check(header: list[str]) -> list[str]:
    columns = _columns(header)
    for cell in header:
        cell = cell.strip()
        if "@" in cell or _DATA_LIKE.match(cell):
            raise ValidationError(
                {
                    "file": _(
                        "The first line must name the columns (e.g. first name, email); "
                        "“%(cell)s” looks like data. Add a header line."
                    )
                    % {"cell": cell[:40]}
                }
            )
    seen: set[str] = set()
    for name in columns:
        if name.lower() in seen:
            raise ValidationError(
                {
                    "file": _("The column “%(name)s” appears twice; give each column its own name.")
                    % {"name": name}
                }
            )
        seen.add(name.lower())
    return columns


def _file_text(job: ImportJob) -> str:
    with job.file.open("rb") as handle:
        return _decode(handle.read())


# --- mapping -----------------------------------------------------------------------------------
def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[_\-.:/]+", " ", text.lower()).split())


def import_targets() -> list[tuple[str, str]]:
    """Every field a column can be mapped to, as (value, label) choices, custom ones last."""
    choices = [("", _("Do not import"))]
    choices += [(name, str(label)) for name, label in FIELD_LABELS.items()]
    choices += [
        (f"custom.{f.key}", _("Custom: %(label)s") % {"label": f.label})
        for f in CustomField.objects.order_by("label")
    ]
    return choices


def _new_custom(column: str) -> tuple[str, str, str]:
    """(key, label, type) of the custom field a column would create: a known one (company,
    state, other phone...) or a text field named after the column."""
    known = NEW_CUSTOM.get(_normal(column))
    if known:
        return known[0], str(known[1]), known[2]
    key = re.sub(r"[^a-z0-9]+", "_", _normal(column)).strip("_")[:40].rstrip("_")
    if not key or not key[0].isalpha():
        key = f"col_{key}"[:40].rstrip("_")
    return key, column.strip()[:80], "text"


def import_mapping_guess(columns: list[str], *, custom_fields: list[CustomField]) -> dict:
    """Column -> field for the columns whose header names a field (or a custom field by
    `custom.<key>`, its key or its label). When several columns could fill one field, the
    most specific spelling wins ("Mobile Phone Number" over "Phone Number"); a column left
    over that a known tool uses for something we keep elsewhere (company, state, a second
    phone) gets a new custom field (`new.<key>`), unless the business already has it."""
    rank: dict[str, tuple[str, int]] = {}
    for target, aliases in FIELD_ALIASES.items():
        for index, alias in enumerate((target, *aliases)):
            rank.setdefault(_normal(alias), (target, index))
    existing: dict[str, str] = {}
    for cf in custom_fields:
        for alias in (cf.key, cf.label, f"custom {cf.key}"):
            existing.setdefault(_normal(alias), f"custom.{cf.key}")
    keys = {cf.key for cf in custom_fields}
    best: dict[str, tuple[int, str]] = {}
    for column in columns:
        hit = rank.get(_normal(column))
        if hit and (hit[0] not in best or hit[1] < best[hit[0]][0]):
            best[hit[0]] = (hit[1], column)
    mapping = {column: target for target, (_rank, column) in best.items()}
    taken = set(mapping.values())
    for column in columns:
        if column in mapping:
            continue
        target = existing.get(_normal(column), "")
        if not target and _normal(column) in NEW_CUSTOM:
            key = NEW_CUSTOM[_normal(column)][0]
            target = f"custom.{key}" if key in keys else f"new.{key}"
        if target and target not in taken:
            mapping[column] = target
            taken.add(target)
    return {column: mapping[column] for column in columns if column in mapping}


def import_column_ignored(column: str) -> str:
    """Why a known tool's column is left out on purpose ('' when it is not)."""
    return IGNORED.get(_normal(column), "")


# --- upload, preview and start -----------------------------------------------------------------
def import_upload(*, file, actor: User | None) -> ImportJob:
    """Keep an uploaded CSV for mapping, after refusing what we could not import: binary or
    non-UTF-8 files, files without a header line, and files over 20 MB."""
    if file is None:
        raise ValidationError({"file": _("Choose a CSV file.")})
    if file.size > IMPORT_MAX_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than 20 MB. Split it into smaller files.")}
        )
    raw = file.read()
    text = _decode(raw)
    records = _records(text)
    first = next(records, None)
    if first is None:
        raise ValidationError({"file": _("The file is empty.")})
    _header_check(first[1])
    total = sum(1 for _record in records)
    if not total:
        raise ValidationError({"file": _("The file has a header line but no rows.")})
    job = ImportJob(
        original_name=(getattr(file, "name", "") or "import.csv")[:200],
        total_rows=total,
        created_by=actor,
    )
    # A random name: the uploaded list of people must not be reachable by guessing its URL.
    job.file.save(f"{uuid.uuid4().hex}.csv", ContentFile(raw), save=False)
    job.save()
    return job


def import_preview(job: ImportJob, *, limit: int = PREVIEW_ROWS) -> dict[str, Any]:
    """The header, the suggested mapping and the first rows of an uploaded file."""
    records = _records(_file_text(job))
    _line, header = next(records)
    columns = _columns(header)
    rows = []
    for _line, cells in records:
        rows.append([cells[i] if i < len(cells) else "" for i in range(len(columns))])
        if len(rows) >= limit:
            break
    guess = job.mapping or import_mapping_guess(
        columns, custom_fields=list(CustomField.objects.all())
    )
    described = []
    keys = set(CustomField.objects.values_list("key", flat=True))
    for i, name in enumerate(columns):
        key, label, _type = _new_custom(name)
        described.append(
            {
                "index": i,
                "name": name,
                "target": guess.get(name, ""),
                "samples": [row[i] for row in rows],
                "new_target": "" if key in keys else f"new.{key}",
                "new_label": _("New custom field: %(label)s") % {"label": label},
                "ignored": import_column_ignored(name),
            }
        )
    normal = {_normal(name) for name in columns}
    return {
        "columns": described,
        "rows": rows,
        "file_defaults": job.file_defaults or file_defaults_guess(normal, job.original_name),
    }


def _file_defaults_clean(file_defaults: dict[str, str] | None) -> dict[str, str]:
    cleaned = {}
    for target, value in (file_defaults or {}).items():
        if not value:
            continue
        if value not in FILE_DEFAULTS.get(target, ()):
            raise ValidationError(
                {
                    "file_defaults": _("“%(value)s” is not a choice for %(target)s.")
                    % {"value": value, "target": target}
                }
            )
        cleaned[target] = value
    return cleaned


def _custom_fields_create(chosen: dict[str, str]) -> dict[str, str]:
    """Create the custom fields the mapping asks for (`new.<key>`), or use the business's own
    when one with that key exists; returns the mapping with `custom.<key>` in their place."""
    existing = set(CustomField.objects.values_list("key", flat=True))
    mapping = {}
    for column, target in chosen.items():
        if target.startswith("new."):
            key = target[4:]
            if key not in existing:
                suggested_key, label, kind = _new_custom(column)
                if suggested_key != key:
                    label, kind = column.strip()[:80] or key, "text"
                try:
                    custom_field_create(key=key, label=label, type=kind)
                except ValidationError as exc:
                    raise ValidationError(
                        {
                            "mapping": [
                                _("%(column)s: %(error)s") % {"column": column, "error": e}
                                for e in exc.messages
                            ]
                        }
                    ) from exc
                existing.add(key)
            target = f"custom.{key}"
        mapping[column] = target
    return mapping


def import_start(
    *,
    job: ImportJob,
    mapping: dict[str, str],
    on_match: str,
    actor: User | None,
    file_defaults: dict[str, str] | None = None,
) -> ImportJob:
    """Save the column mapping and queue the import (once); the work happens in the worker.

    A target `new.<key>` creates that custom field first; `file_defaults` gives every row a
    value no column holds (`{"email_marketing": "subscribed"}` for a Mailchimp export)."""
    targets = {value for value, _label in import_targets() if value}
    errors: dict[str, list[str]] = {}
    chosen: dict[str, str] = {}
    for column, target in mapping.items():
        if not target:
            continue
        known = target in targets or (
            target.startswith("new.") and KEY_PATTERN.match(target[4:]) is not None
        )
        if not known:
            errors.setdefault("mapping", []).append(
                _("“%(target)s” is not a field you can import into.") % {"target": target}
            )
        elif target in chosen.values():
            errors.setdefault("mapping", []).append(
                _("%(target)s is chosen for two columns; pick it once.") % {"target": target}
            )
        else:
            chosen[column] = target
    if not errors and not set(chosen.values()) & set(IDENTITY):
        errors["mapping"] = [_("Map at least a name, an email or a phone column.")]
    if on_match not in ON_MATCH:
        errors["on_match"] = [_("Choose update or skip.")]
    try:
        defaults = _file_defaults_clean(file_defaults)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.mapping or job.status != ImportStatus.PENDING:
            raise ValidationError(_("This import has already started."))
        columns = set(_columns(next(_records(_file_text(job)))[1]))
        if set(chosen) - columns:
            raise ValidationError({"mapping": [_("The mapping names a column the file lacks.")]})
        mapped = set(chosen.values())
        for target in defaults:
            if target in mapped:
                raise ValidationError(
                    {"file_defaults": [_("A column already says this; choose one of the two.")]}
                )
        job.mapping, job.on_match = _custom_fields_create(chosen), on_match
        job.file_defaults = defaults
        job.save(update_fields=["mapping", "on_match", "file_defaults"])
        from ..tasks import import_run_task

        job_id = job.pk
        transaction.on_commit(lambda: import_run_task.delay(job_id=job_id))
    return job


# --- the run ---------------------------------------------------------------------------------
def import_run(*, job_id: int) -> ImportJob | None:
    """Import the rows of a mapped job in chunks, saving progress with each chunk; a rerun
    (a redelivered task) continues after the last saved chunk and never imports a row twice."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or not job.mapping or job.status in (ImportStatus.DONE, ImportStatus.FAILED):
        return job
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)
    try:
        _import_rows(job)
    except Superseded:
        return ImportJob.objects.get(pk=job.pk)
    except Exception:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED, finished_at=timezone.now()
        )
        raise
    job = ImportJob.objects.get(pk=job.pk)
    job.status, job.finished_at = ImportStatus.DONE, timezone.now()
    if job.file:
        job.file.delete(save=False)  # the people in it are in the contacts now; keep no copy
    job.save(update_fields=["status", "finished_at", "file"])
    return job


def _import_rows(job: ImportJob) -> None:
    """Read the file once; rows of the same person (by email or phone) never share a chunk,
    so a second occurrence finds the first one in the database and updates or skips it."""
    records = _records(_file_text(job))
    _line, header = next(records)
    cleaner = RowCleaner(
        _columns(header), job.mapping, defaults=job.file_defaults, file_name=job.original_name
    )
    progress = Progress.of(job)
    seen = 0
    batch: list[Row] = []
    batch_keys: set[tuple[str, str]] = set()
    lines = 0  # records in this chunk, good or not
    for line, cells in records:
        seen += 1
        if seen <= progress.processed:  # imported by an earlier run of this job
            continue
        lines += 1
        row = cleaner.clean(line, cells, progress)
        if row is not None:
            if row.keys & batch_keys:
                rows_flush(job=job, cleaner=cleaner, rows=batch, progress=progress, lines=lines - 1)
                batch, batch_keys, lines = [], set(), 1
            batch.append(row)
            batch_keys |= row.keys
        if lines >= CHUNK_ROWS:
            rows_flush(job=job, cleaner=cleaner, rows=batch, progress=progress, lines=lines)
            batch, batch_keys, lines = [], set(), 0
    if lines:
        rows_flush(job=job, cleaner=cleaner, rows=batch, progress=progress, lines=lines)
