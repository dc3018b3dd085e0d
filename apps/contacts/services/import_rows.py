"""One CSV row at a time: the rules of `contact_create`/`contact_update` applied with the
business's settings read once, then a chunk written with one read and a few bulk statements
(the import of 100,000 rows must stay well under a minute). Used by `imports.import_run`."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import NOT_PROVIDED, CharField
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.tenants.services import tenant_current

from ..events import timeline_publish
from ..models import (
    Channel,
    ConsentEvent,
    ConsentMethod,
    ConsentStatus,
    Contact,
    CustomField,
    ImportJob,
    LifecycleStage,
    TimelineEvent,
)
from .consent import consent_history_rows, consent_set
from .contacts import (
    _custom_value,  # the per-value rule of custom_fields_validate, without a query per row
    contact_create,
    contact_update,
    phone_normalize,
    tags_normalize,
)
from .import_values import (
    GRANT,
    STAGE_SYNONYMS,
    WITHDRAW,
    country_parse,
    date_parse,
    flag_parse,
    language_parse,
    marketing_parse,
    moment_parse,
)
from .timeline import event_record

CONSENT_TARGETS = {"email_consent": "email", "sms_consent": "sms", "voice_consent": "voice"}
IDENTITY = ("first_name", "last_name", "email", "phone")
MARKETING_TARGETS = {
    "email_marketing": "email",
    "sms_marketing": "sms",
    "email_unsubscribed": "email",
    "email_marketing_opt_out": "email",
}
PROOF_TARGETS = ("optin_time", "confirm_time", "optin_ip", "confirm_ip")
CONSENT_WORDS = {
    ConsentStatus.OPTED_IN: {
        "opted_in",
        "opted in",
        "opt in",
        "optin",
        "yes",
        "y",
        "true",
        "1",
        "subscribed",
        "granted",
        "ja",
        "oui",
        "si",
    },
    ConsentStatus.OPTED_OUT: {
        "opted_out",
        "opted out",
        "opt out",
        "optout",
        "no",
        "n",
        "false",
        "0",
        "unsubscribed",
        "refused",
        "denied",
        "nein",
        "non",
    },
    ConsentStatus.UNKNOWN: {"unknown", "?"},
}
_FORMULA_ESCAPED = re.compile(r"^'[=+\-@]")


# --- validating one row ------------------------------------------------------------------------
@dataclass
class Row:
    """A valid CSV row: its cleaned values (only the non-empty cells), custom values and
    consent per channel."""

    line: int
    values: dict[str, Any] = field(default_factory=dict)
    custom: dict[str, Any] = field(default_factory=dict)
    consent: dict[str, str] = field(default_factory=dict)
    raw_custom: dict[str, str] = field(default_factory=dict)  # for the per-row fallback
    # marketing subscription per channel: GRANT or WITHDRAW (a "no" changes nothing)
    marketing: dict[str, str] = field(default_factory=dict)
    note: str = ""  # a note for the timeline
    proof_at: dt.datetime | None = None  # when the customer opted in, as the file says
    proof: str = ""  # where the consent comes from: the file, its line, the opt-in details

    @property
    def keys(self) -> set[tuple[str, str]]:
        return {(name, self.values[name]) for name in ("email", "phone") if self.values.get(name)}


class RowCleaner:
    """The rules of `contact_create`/`contact_update` for the cells of one CSV row, with the
    business's settings and custom field definitions read once per import."""

    def __init__(
        self,
        columns: list[str],
        mapping: dict[str, str],
        *,
        defaults: dict[str, str] | None = None,
        file_name: str = "",
    ):
        self.tenant = tenant_current()
        self.now = timezone.now()
        self.file_name = file_name
        self.defaults = defaults or {}
        self.column_of = {target: name for name, target in mapping.items() if target}
        self.width = len(columns)
        self.definitions = {cf.key: cf for cf in CustomField.objects.all()}
        self.required = [cf for cf in self.definitions.values() if cf.required]
        self.time_zones = zoneinfo.available_timezones()
        self.zones_folded = {zone.lower(): zone for zone in self.time_zones}
        self.today = timezone.localdate()
        self.targets = [(i, mapping[name]) for i, name in enumerate(columns) if mapping.get(name)]
        stage_words = {str(label).lower(): value for value, label in LifecycleStage.choices}
        self.stages = {
            **STAGE_SYNONYMS,
            **stage_words,
            **{value: value for value in LifecycleStage.values},
        }
        self.cleaners = {
            "email": self._email,
            "country": self._country,
            "birthday": self._birthday,
            "tags": lambda value: tags_normalize(value.replace('"', "")),  # Mailchimp quotes each
            "language": self._language,
            "note": lambda value: value[:5000],
            "optin_ip": lambda value: value[:45],
            "confirm_ip": lambda value: value[:45],
            "time_zone": self._time_zone,
            "preferred_channel": self._preferred_channel,
            "lifecycle_stage": self._lifecycle_stage,
        }
        self.cleaners["address_line_2"] = self._text(200)
        for name in ("first_name", "last_name", "address_line", "city", "postal_code", "source"):
            # cast: a name held in a variable hides which field it is; these are all text
            text_field = cast(CharField, Contact._meta.get_field(name))
            self.cleaners[name] = self._text(text_field.max_length)

    def clean(self, line: int, cells: list[str], progress: Progress) -> Row | None:
        """The row, or None after reporting why it is rejected (every bad field at once)."""
        if len(cells) > self.width and any(cell.strip() for cell in cells[self.width :]):
            progress.reject(
                line,
                {
                    "row": _("The row has %(n)s cells but the header has %(m)s.")
                    % {"n": len(cells), "m": self.width}
                },
            )
            return None
        row, errors, given = Row(line=line), {}, {}
        for index, target in self.targets:
            value = cells[index].strip() if index < len(cells) else ""
            if _FORMULA_ESCAPED.match(value):  # our own export's guard against formulas
                value = value[1:]
            if value:
                given[target] = value
        for target, value in self.defaults.items():
            given.setdefault(target, value)
        proof: dict[str, Any] = {}
        for target, value in given.items():
            try:
                if target.startswith("custom."):
                    self._custom(row, target[7:], value)
                elif target in CONSENT_TARGETS:
                    row.consent[CONSENT_TARGETS[target]] = self._consent(target, value)
                elif target in MARKETING_TARGETS:
                    self._marketing(row, target, value)
                elif target in ("optin_time", "confirm_time"):
                    proof[target] = self._moment(target, value)
                elif target in PROOF_TARGETS:
                    proof[target] = value[:45]
                elif target == "note":
                    row.note = value[:5000]
                elif target == "phone":
                    region = self._country(given.get("country", "")) or self.tenant.country
                    row.values["phone"], row.values["phone_national"] = phone_normalize(
                        value, region=region
                    )
                else:
                    row.values[target] = self.cleaners[target](value)
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    errors[name] = " ".join(messages)
        if errors:
            progress.reject(line, errors, columns=self.column_of)
            return None
        second = row.values.pop("address_line_2", "")
        if second:
            first = row.values.get("address_line", "")
            row.values["address_line"] = ", ".join(p for p in (first, second) if p)[:200]
        for channel in list(row.marketing):
            if channel in row.consent:  # an explicit consent column says more
                del row.marketing[channel]
        if row.consent or row.marketing:
            self._proof(row, proof)
        return row

    def _proof(self, row: Row, proof: dict[str, Any]) -> None:
        """The note kept with each consent change: the file, the line, the opt-in details."""
        parts = [
            _("Imported from “%(file)s”, line %(line)s")
            % {"file": self.file_name, "line": row.line}
        ]
        for when, ip, label in (
            ("optin_time", "optin_ip", _("opted in")),
            ("confirm_time", "confirm_ip", _("confirmed")),
        ):
            if proof.get(when) or proof.get(ip):
                text = label
                if proof.get(when):
                    text += f" {proof[when]:%Y-%m-%d %H:%M} UTC"
                if proof.get(ip):
                    text += " " + _("from %(ip)s") % {"ip": proof[ip]}
                parts.append(text)
        if WITHDRAW in row.marketing.values():
            parts.append(_("unsubscribed in the file"))
        row.proof = "; ".join(parts)[:200]
        row.proof_at = proof.get("confirm_time") or proof.get("optin_time")

    def _marketing(self, row: Row, target: str, value: str) -> None:
        channel = MARKETING_TARGETS[target]
        try:
            if target in ("email_marketing", "sms_marketing"):
                meaning = marketing_parse(value)
            else:  # "unsubscribed: true" withdraws; "false" grants nothing
                meaning = WITHDRAW if flag_parse(value) else ""
        except ValueError as exc:
            raise ValidationError({target: str(exc)}) from exc
        if meaning == WITHDRAW or (meaning == GRANT and row.marketing.get(channel) != WITHDRAW):
            row.marketing[channel] = meaning

    def _moment(self, target: str, value: str) -> dt.datetime:
        try:
            return moment_parse(value, now=self.now)
        except ValueError as exc:
            raise ValidationError({target: str(exc)}) from exc

    def _language(self, value: str) -> str:
        try:
            return language_parse(value)
        except ValueError as exc:
            raise ValidationError({"language": str(exc)}) from exc

    # each returns the stored value or raises ValidationError naming the field
    @staticmethod
    def _text(limit: int | None):
        return lambda value: value[:limit]

    def _email(self, value: str) -> str:
        value = value.lower()
        try:
            validate_email(value)
        except ValidationError as exc:
            raise ValidationError({"email": _("Enter a valid email address.")}) from exc
        return value

    def _country(self, value: str) -> str:
        if not value.strip():
            return ""
        try:
            return country_parse(value)
        except ValueError as exc:
            raise ValidationError({"country": str(exc)}) from exc

    def _birthday(self, value: str) -> dt.date:
        try:
            day = date_parse(value, country=self.tenant.country)
        except ValueError as exc:
            raise ValidationError({"birthday": str(exc)}) from exc
        if day > self.today:
            raise ValidationError({"birthday": _("A birthday cannot be in the future.")})
        return day

    def _time_zone(self, value: str) -> str:
        # HubSpot writes "America/New York" or "america_slash_new_york"
        value = value.replace("_slash_", "/").replace(" ", "_")
        value = self.zones_folded.get(value.lower(), value)
        if value not in self.time_zones:
            raise ValidationError({"time_zone": _("Choose a time zone from the list.")})
        return value

    def _preferred_channel(self, value: str) -> str:
        value = value.lower()
        if value not in Channel.values:
            raise ValidationError(
                {"preferred_channel": _("Choose one of: %(c)s.") % {"c": ", ".join(Channel.values)}}
            )
        return value

    def _lifecycle_stage(self, value: str) -> str:
        stage = self.stages.get(value.lower())
        if stage is None:
            raise ValidationError(
                {
                    "lifecycle_stage": _("Choose one of: %(c)s.")
                    % {"c": ", ".join(LifecycleStage.values)}
                }
            )
        return stage

    def _consent(self, target: str, value: str) -> str:
        word = value.lower()
        for status, words in CONSENT_WORDS.items():
            if word in words:
                return status
        raise ValidationError({target: _("Write opted_in, opted_out or unknown (or yes / no).")})

    def _custom(self, row: Row, key: str, value: str) -> None:
        definition = self.definitions.get(key)
        if definition is None:
            raise ValidationError(
                {f"custom.{key}": _("There is no custom field “%(key)s”.") % {"key": key}}
            )
        try:
            row.custom[key] = _custom_value(definition, value)
        except ValueError as exc:
            raise ValidationError({f"custom.{key}": str(exc)}) from exc
        row.raw_custom[key] = value

    def missing_required(self, custom: dict) -> dict[str, str]:
        return {
            f"custom.{cf.key}": _("%(label)s is required.") % {"label": cf.label}
            for cf in self.required
            if custom.get(cf.key) in (None, "")
        }


# --- writing a chunk ---------------------------------------------------------------------------
class Superseded(Exception):
    """Another run of the same job moved on (a redelivered task); this one stops."""


@dataclass
class Progress:
    """The counters and report of a run, saved with each chunk."""

    processed: int
    created: int
    updated: int
    skipped: int
    errors: list[dict]
    new_errors: bool = False

    @classmethod
    def of(cls, job: ImportJob) -> Progress:
        return cls(
            processed=job.processed_rows,
            created=job.created_count,
            updated=job.updated_count,
            skipped=job.skipped_count,
            errors=list(job.errors),
        )

    def reject(
        self, line: int, errors: dict[str, str], columns: dict[str, str] | None = None
    ) -> None:
        """Report a row; the reason names each bad column of the file (or field, when no
        column holds it); values are not repeated."""
        fields = sorted(errors)
        columns = columns or {}
        reason = (
            "; ".join(f"{columns.get(name, name)}: {errors[name].rstrip('.')}" for name in fields)
            + "."
        )
        self.errors.append({"line": line, "fields": fields, "reason": reason})
        self.new_errors = True


def rows_flush(
    *, job: ImportJob, cleaner: RowCleaner, rows: list[Row], progress: Progress, lines: int
) -> None:
    """Write one chunk and its progress in one transaction, so a rerun resumes exactly."""
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.processed_rows != progress.processed:
            raise Superseded
        try:
            with transaction.atomic():
                event_ids = _write_bulk(job, cleaner, rows, progress)
        except IntegrityError:  # a concurrent edit took an email or phone: go row by row
            event_ids = []
            _write_one_by_one(job, rows, progress)
        progress.processed += lines
        changes: dict[str, Any] = {
            "processed_rows": progress.processed,
            "created_count": progress.created,
            "updated_count": progress.updated,
            "skipped_count": progress.skipped,
        }
        if progress.new_errors:
            progress.errors.sort(key=lambda error: error["line"])
            changes["errors"] = progress.errors
            progress.new_errors = False
        ImportJob.objects.filter(pk=job.pk).update(**changes)
        timeline_publish(event_ids)


def _matches(rows: list[Row]) -> tuple[dict[str, Contact], dict[str, Contact]]:
    """The existing contacts having an email or a phone of the chunk, locked; one indexed
    query per key (an OR of both makes PostgreSQL scan the whole table)."""
    emails = {row.values["email"] for row in rows if row.values.get("email")}
    phones = {row.values["phone"] for row in rows if row.values.get("phone")}
    live = Contact.objects.filter(erased_at__isnull=True).defer("search").order_by()
    by_email: dict[str, Contact] = {}
    by_phone: dict[str, Contact] = {}
    if emails:
        found = live.annotate(email_ci=Lower("email")).filter(email_ci__in=emails)
        for contact in found.exclude(email="").select_for_update(of=("self",)):
            by_email[contact.email.lower()] = contact
    if phones:
        holders = live.filter(phone__in=phones).exclude(phone="").select_for_update(of=("self",))
        for holder in holders:  # the object already read by email, if any: one per contact
            by_phone[holder.phone] = by_email.get(holder.email.lower()) or holder
    return by_email, by_phone


def _copy_rows(model, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows (dicts by attribute name; missing ones take the field's default) with COPY,
    their ids drawn from the table's sequence first; returns the ids. Several times faster than
    INSERT ... VALUES for the 100,000-row import, most of which was building the statement."""
    if not rows:
        return []
    meta = model._meta
    fields = [
        f
        for f in meta.concrete_fields
        if not f.generated and not f.primary_key and f.db_default is NOT_PROVIDED
    ]  # a column with a database default (txid) takes it
    now = timezone.now()
    defaults, json_fields = {}, []
    for index, f in enumerate(fields):
        auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        defaults[f.attname] = now if auto else f.get_default()
        if f.get_internal_type() == "JSONField":
            json_fields.append((index, f))
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        columns = ", ".join(quote(f.column) for f in [meta.pk, *fields])
        sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
        with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
            for pk, row in zip(ids, rows, strict=True):
                values = [pk, *(row.get(name, default) for name, default in defaults.items())]
                for index, f in json_fields:
                    values[index + 1] = f.get_db_prep_save(values[index + 1], connection)
                copy.write_row(values)
    return ids


def _write_bulk(job, cleaner: RowCleaner, rows: list[Row], progress: Progress) -> list[int]:
    """Create, update or skip each row with one read and a few bulk writes; returns the ids
    of the timeline events written. Counters change only once everything is written."""
    now, tenant, actor_id = timezone.now(), cleaner.tenant, job.created_by_id
    by_email, by_phone = _matches(rows)
    created: list[tuple[dict[str, Any], Row]] = []
    updated: dict[int, tuple[Contact, set[str], dict[str, tuple[str, Row]]]] = {}
    skipped = updates = 0
    rejected: list[tuple[int, dict[str, str]]] = []
    noted: list[tuple[int, Row]] = []
    for row in rows:
        match_email = by_email.get(row.values.get("email", ""))
        match_phone = by_phone.get(row.values.get("phone", ""))
        if match_email and match_phone and match_email.pk != match_phone.pk:
            rejected.append(
                (row.line, {"phone": _("Another contact already has this phone number.")})
            )
            continue
        contact = match_email or match_phone
        if contact is None:
            problems = {}
            if not any(row.values.get(name) for name in IDENTITY):
                problems["first_name"] = _("Give at least a name, an email or a phone.")
            problems.update(cleaner.missing_required(row.custom))
            if problems:
                rejected.append((row.line, problems))
                continue
            values = {
                "source": "import",
                "time_zone": tenant.time_zone,
                "language": tenant.language,
                **row.values,
                "custom": row.custom,
            }
            for channel, status in _new_consent(row).items():
                values[f"{channel}_consent"] = status
            created.append((values, row))
        elif job.on_match == "skip":
            skipped += 1
        else:
            if row.custom:
                problems = cleaner.missing_required({**contact.custom, **row.custom})
                if problems:
                    rejected.append((row.line, problems))
                    continue
            fields, consent = _apply(contact, row)
            if row.note:
                noted.append((contact.pk, row))
            if fields or consent:
                _c, seen_fields, seen_consent = updated.get(contact.pk, (contact, set(), {}))
                updated[contact.pk] = (contact, seen_fields | fields, {**consent, **seen_consent})
            updates += 1
    contact_ids = _copy_rows(Contact, [values for values, _row in created])
    if updated:
        columns = {"updated"}
        for contact, fields, consent in updated.values():
            contact.updated = now
            columns |= fields | {f"{channel}_consent" for channel in consent}
        if "phone" in columns:
            columns.add("phone_national")
        Contact.objects.bulk_update([c for c, _f, _cs in updated.values()], sorted(columns))
    events: list[dict[str, Any]] = []
    consents: list[dict[str, Any]] = []
    base = {"source": "import", "actor_id": actor_id, "occurred_at": now}
    for contact_id, (values, row) in zip(contact_ids, created, strict=True):
        events.append(
            {
                **base,
                "contact_id": contact_id,
                "type": "contact.imported",
                "properties": {"import_id": job.pk, "source": values["source"]},
            }
        )
        for channel, status in _new_consent(row).items():
            if status != ConsentStatus.UNKNOWN:
                consent_history_rows(
                    events,
                    consents,
                    contact_id=contact_id,
                    channel=channel,
                    status=status,
                    previous=ConsentStatus.UNKNOWN,
                    method=ConsentMethod.IMPORT,
                    actor_id=actor_id,
                    occurred_at=_consent_time(row, channel, now),
                    recorded_at=now,
                    note=row.proof,
                )
        _note_row(events, base, contact_id, row)
    for contact, fields, consent in updated.values():
        if fields:
            events.append(
                {
                    **base,
                    "contact_id": contact.pk,
                    "type": "contact.updated",
                    "properties": {"fields": sorted(fields), "import_id": job.pk},
                }
            )
        for channel, (previous, row) in consent.items():
            consent_history_rows(
                events,
                consents,
                contact_id=contact.pk,
                channel=channel,
                status=contact.consent_for(channel),
                previous=previous,
                method=ConsentMethod.IMPORT,
                actor_id=actor_id,
                occurred_at=_consent_time(row, channel, now),
                recorded_at=now,
                note=row.proof,
            )
    for contact_id, row in noted:
        _note_row(events, base, contact_id, row)
    _copy_rows(ConsentEvent, consents)
    event_ids = _copy_rows(TimelineEvent, events)
    for line, problems in rejected:
        progress.reject(line, problems, columns=cleaner.column_of)
    progress.created += len(created)
    progress.updated += updates
    progress.skipped += skipped
    return event_ids


def _apply(contact: Contact, row: Row) -> tuple[set[str], dict[str, tuple[str, Row]]]:
    """Set the row's values on a matched contact; returns the changed fields and, per
    changed consent channel, the previous status. Empty cells leave fields as they are; tags
    are added to the contact's."""
    fields = set()
    for name, value in row.values.items():
        if name == "phone_national":
            continue
        if name == "tags":
            value = contact.tags + [tag for tag in value if tag not in contact.tags]
        if getattr(contact, name) != value:
            setattr(contact, name, value)
            fields.add(name)
            if name == "phone":
                contact.phone_national = row.values["phone_national"]
    if row.custom:
        merged = dict(contact.custom)
        for key, value in row.custom.items():
            if value is not None:
                merged[key] = value
        if merged != contact.custom:
            contact.custom = merged
            fields.add("custom")
    consent = {}
    for channel, status in _changed_consent(contact, row).items():
        consent[channel] = (contact.consent_for(channel), row)
        setattr(contact, f"{channel}_consent", status)
    return fields, consent


def _new_consent(row: Row) -> dict[str, str]:
    """The consent of a new contact: the consent columns, and opted in where the file says
    the customer subscribed to marketing (an unsubscribed or "no" row stays unknown)."""
    consent = dict(row.consent)
    for channel, meaning in row.marketing.items():
        if meaning == GRANT:
            consent[channel] = ConsentStatus.OPTED_IN
    return consent


def _changed_consent(contact: Contact, row: Row) -> dict[str, str]:
    """The consent statuses a row changes on an existing contact. A consent column sets the
    status it names. A marketing subscription grants only where nothing was known (an
    opt-out told to the business is never undone by a file), and an unsubscribe takes back
    an opt-in: back to unknown, which stops marketing but not appointment messages (opted
    out would stop those too)."""
    changes = {}
    for channel, status in row.consent.items():
        if contact.consent_for(channel) != status:
            changes[channel] = status
    for channel, meaning in row.marketing.items():
        current = contact.consent_for(channel)
        if meaning == GRANT and current == ConsentStatus.UNKNOWN:
            changes[channel] = ConsentStatus.OPTED_IN
        elif meaning == WITHDRAW and current == ConsentStatus.OPTED_IN:
            changes[channel] = ConsentStatus.UNKNOWN
    return changes


def _consent_time(row: Row, channel: str, now: dt.datetime) -> dt.datetime:
    """When the customer agreed, as the file proves it, for a marketing opt-in; else now."""
    if row.marketing.get(channel) == GRANT and channel not in row.consent and row.proof_at:
        return row.proof_at
    return now


def _note_row(events: list[dict[str, Any]], base: dict[str, Any], contact_id: int, row: Row):
    """The row's note as a note on the contact's timeline."""
    if row.note:
        events.append(
            {
                **base,
                "contact_id": contact_id,
                "type": "note.added",
                "properties": {"text": row.note},
            }
        )


def _write_one_by_one(job, rows: list[Row], progress: Progress) -> None:
    """The slow, always-right path through the services, used when a concurrent write made
    the bulk path fail; each row succeeds or is reported on its own."""
    for row in rows:
        values = {k: v for k, v in row.values.items() if k != "phone_national"}
        if "birthday" in values:
            values["birthday"] = values["birthday"].isoformat()
        match = None
        if values.get("email"):
            match = Contact.objects.filter(email__iexact=values["email"], erased_at=None).first()
        if match is None and values.get("phone"):
            match = Contact.objects.filter(phone=values["phone"], erased_at=None).first()
        if match is not None and job.on_match == "skip":
            progress.skipped += 1
            continue
        try:
            with transaction.atomic():
                if match is None:
                    contact = contact_create(
                        actor=job.created_by, via="import", custom=row.raw_custom, **values
                    )
                else:
                    if "tags" in values:
                        values["tags"] = match.tags + values["tags"]  # normalised: no repeats
                    if row.raw_custom:
                        values["custom"] = row.raw_custom
                    contact = contact_update(contact=match, actor=job.created_by, **values)
                changes = _new_consent(row) if match is None else _changed_consent(contact, row)
                for channel, status in changes.items():
                    consent_set(
                        contact=contact,
                        channel=channel,
                        status=status,
                        method=ConsentMethod.IMPORT,
                        actor=job.created_by,
                        note=row.proof,
                        occurred_at=_consent_time(row, channel, timezone.now()),
                    )
                if row.note:
                    event_record(
                        contact=contact,
                        type="note.added",
                        properties={"text": row.note},
                        source="import",
                        actor=job.created_by,
                    )
        except ValidationError as exc:
            progress.reject(
                row.line,
                {name: " ".join(msgs) for name, msgs in exc.message_dict.items()}
                if hasattr(exc, "error_dict")
                else {"row": " ".join(exc.messages)},
                columns=job.mapping and {t: c for c, t in job.mapping.items()},
            )
            continue
        if match is None:
            progress.created += 1
        else:
            progress.updated += 1
