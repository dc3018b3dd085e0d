"""Segment rule trees: what a condition may say, how a tree is checked, and how it compiles to
one `Q` (plain lookups, `Exists` and `IN (SELECT … GROUP BY … HAVING …)` subqueries), so that a
segment of any shape is a single SQL query and never a Python loop over contacts.

A tree is a group: `{"op": "and" | "or", "rules": [<group or condition>, ...]}`. A condition is
`{"field": <key>, "cmp": <comparison>, "value": ...}`, plus `"event_type"` and `"days"` for the
conditions that need them. Errors name the rule's path, e.g. `rules.1.value` or
`rules.0.rules.2.days`.

The fields are the contact's own (`_fixed_fields`), the business's custom fields, and the
`SegmentCondition`s other modules register in `apps.contacts.registries.segment_conditions`
(appointments adds no-shows, the last visit and the next booking): the builder and the API
offer every one of them, and a new one needs no change here.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    JSONField,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import ExtractDay, ExtractMonth
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cxsuite.lib.input import number_parse

from ..models import (
    Channel,
    ConsentStatus,
    CustomField,
    CustomFieldType,
    LifecycleStage,
    RfmScore,
    RfmSegment,
    TimelineEvent,
    Transaction,
    TransactionKind,
)
from ..registries import segment_conditions

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_DEPTH = 3  # the top group and two levels of nested groups
MAX_CONDITIONS = 50
MAX_DAYS = 3650
MAX_COUNT = 100_000
OPS = ("and", "or")

# comparison -> how it reads in the builder
CMP_LABELS = {
    "eq": gettext_lazy("is"),
    "neq": gettext_lazy("is not"),
    "contains": gettext_lazy("contains"),
    "starts": gettext_lazy("starts with"),
    "empty": gettext_lazy("is empty"),
    "not_empty": gettext_lazy("is not empty"),
    "before": gettext_lazy("is before"),
    "after": gettext_lazy("is after"),
    "within_last": gettext_lazy("in the last"),
    "within_next": gettext_lazy("in the next"),
    "gt": gettext_lazy("is more than"),
    "lt": gettext_lazy("is less than"),
    "gte": gettext_lazy("is at least"),
    "lte": gettext_lazy("is at most"),
    "is": gettext_lazy("is"),
    "has": gettext_lazy("has"),
    "has_not": gettext_lazy("does not have"),
    "within": gettext_lazy("within the last"),
    "not_within": gettext_lazy("not within the last"),
    "never": gettext_lazy("never"),
    "at_least": gettext_lazy("at least"),
    "fewer_than": gettext_lazy("fewer than"),
}

# What each kind of field accepts: comparison -> kind of value ("" = no value).
KIND_CMPS: dict[str, dict[str, str]] = {
    "text": {
        "eq": "text",
        "neq": "text",
        "contains": "text",
        "starts": "text",
        "empty": "",
        "not_empty": "",
    },
    "choice": {"eq": "choice", "neq": "choice"},
    "date": {
        "before": "date",
        "after": "date",
        "within_last": "days",
        "within_next": "days",
        "empty": "",
    },
    "created": {"before": "date", "after": "date", "within_last": "days"},
    "birthday": {"before": "date", "after": "date", "within_next": "days", "empty": ""},
    "number": {"gt": "number", "lt": "number", "eq": "number", "empty": ""},
    "boolean": {"is": "boolean"},
    "custom_text": {"contains": "text", "eq": "text", "empty": "", "not_empty": ""},
    "tags": {"has": "text", "has_not": "text"},
    "score": {"gte": "score", "lte": "score"},
    "last_purchase": {"within": "days", "not_within": "days", "never": ""},
    "spend": {"gt": "number", "lt": "number"},
    "event": {"at_least": "count", "fewer_than": "count"},
}
# kinds whose conditions also carry "days" (and "event_type" for events)
NEEDS_DAYS = {"spend", "event"}
# the kinds of value a comparison takes, each checked by `_value_clean` ("" takes none)
VALUE_KINDS = ("", "text", "choice", "date", "days", "count", "score", "number", "boolean")


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    group: str
    kind: str
    column: str = ""
    choices: tuple[tuple[str, StrOrPromise], ...] = ()

    @property
    def cmps(self) -> dict[str, str]:
        return KIND_CMPS[self.kind]

    def cmp_label(self, cmp: str) -> StrOrPromise:
        return CMP_LABELS[cmp]


@dataclass(frozen=True)
class SegmentCondition:
    """A condition another module adds to the rule language, registered in its app's
    `ready()` with `segment_conditions.register(condition.key, condition)`.

    `comparisons` maps each comparison (`at_least`) to the kind of value it takes, one of
    VALUE_KINDS, checked and normalised like the contact's own fields ("days" is a whole
    number from 1 to 3650, "count" one of at least 1, "boolean" yes or no, "choice" one of
    `choices`). `compile(node, now, today)` gets the checked condition (`{"field", "cmp",
    "value"}`), the moment of evaluation and the business's date, and returns a `Q` on Contact
    made of lookups and subqueries (`Exists`, `pk__in` a grouped query), so a segment stays
    one SQL query. A comparison the builder has no word for takes its label from `cmp_labels`.
    """

    key: str
    label: StrOrPromise
    group: StrOrPromise
    comparisons: Mapping[str, str]
    compile: Callable[[dict, dt.datetime, dt.date], Q]
    choices: tuple[tuple[str, StrOrPromise], ...] = ()
    cmp_labels: Mapping[str, StrOrPromise] = dc_field(default_factory=dict)
    kind: ClassVar[str] = "condition"

    def __post_init__(self) -> None:
        if not self.comparisons:
            raise ImproperlyConfigured(f"Segment condition {self.key!r} has no comparison.")
        for cmp, value_kind in self.comparisons.items():
            if value_kind not in VALUE_KINDS:
                raise ImproperlyConfigured(
                    f"Segment condition {self.key!r}: {cmp!r} takes an unknown kind of value "
                    f"{value_kind!r} (one of {', '.join(filter(None, VALUE_KINDS))})."
                )
            if cmp not in CMP_LABELS and cmp not in self.cmp_labels:
                raise ImproperlyConfigured(
                    f"Segment condition {self.key!r}: give {cmp!r} a label in cmp_labels."
                )
            if value_kind == "choice" and not self.choices:
                raise ImproperlyConfigured(f"Segment condition {self.key!r} has no choices.")

    @property
    def cmps(self) -> dict[str, str]:
        return dict(self.comparisons)

    def cmp_label(self, cmp: str) -> StrOrPromise:
        return self.cmp_labels.get(cmp) or CMP_LABELS[cmp]


def _fixed_fields() -> list[FieldSpec]:
    contact, consent, buying, activity = _("Contact"), _("Consent"), _("Purchases"), _("Activity")
    text = [
        ("first_name", _("First name")),
        ("last_name", _("Last name")),
        ("email", _("Email")),
        ("phone", _("Mobile phone")),
        ("city", _("City")),
        ("postal_code", _("Postal code")),
        ("country", _("Country code")),
        ("language", _("Language")),
        ("source", _("Source")),
    ]
    fields = [FieldSpec(key, label, contact, "text", key) for key, label in text]
    fields += [
        FieldSpec(
            "lifecycle_stage",
            _("Lifecycle stage"),
            contact,
            "choice",
            "lifecycle_stage",
            tuple(LifecycleStage.choices),
        ),
        FieldSpec(
            "preferred_channel",
            _("Preferred channel"),
            contact,
            "choice",
            "preferred_channel",
            tuple(Channel.choices),
        ),
        FieldSpec("tags", _("Tag"), contact, "tags", "tags"),
        FieldSpec("created", _("Added on"), contact, "created", "created"),
        FieldSpec("birthday", _("Birthday"), contact, "birthday", "birthday"),
    ]
    fields += [
        FieldSpec(
            f"consent.{value}",
            _("%(channel)s consent") % {"channel": label},
            consent,
            "choice",
            f"{value}_consent",
            tuple(ConsentStatus.choices),
        )
        for value, label in Channel.choices
    ]
    fields += [
        FieldSpec("purchase.last", _("Last purchase"), buying, "last_purchase"),
        FieldSpec("purchase.total", _("Total spend"), buying, "spend"),
        FieldSpec(
            "rfm.segment", _("RFM segment"), buying, "choice", "segment", tuple(RfmSegment.choices)
        ),
        FieldSpec("rfm.r", _("RFM recency score (1-5)"), buying, "score", "r"),
        FieldSpec("rfm.f", _("RFM frequency score (1-5)"), buying, "score", "f"),
        FieldSpec("rfm.m", _("RFM monetary score (1-5)"), buying, "score", "m"),
        FieldSpec("event", _("Activity (event)"), activity, "event"),
    ]
    return fields


CUSTOM_KINDS: dict[str, str] = {  # keyed by the stored `CustomField.type`
    CustomFieldType.TEXT: "custom_text",
    CustomFieldType.NUMBER: "number",
    CustomFieldType.DATE: "date",
    CustomFieldType.CHOICE: "choice",
    CustomFieldType.BOOLEAN: "boolean",
}


def custom_field_spec(field: CustomField) -> FieldSpec:
    choices = tuple((c, c) for c in field.choices)
    return FieldSpec(
        f"custom.{field.key}",
        field.label,
        _("Custom fields"),
        CUSTOM_KINDS[field.type],
        field.key,
        choices,
    )


Spec = FieldSpec | SegmentCondition


def field_catalogue(custom_fields: list[CustomField] | None = None) -> dict[str, Spec]:
    """Every field a condition may use, in builder order: the contact's own, the registered
    conditions, then the custom fields, which come from the table unless the caller passes
    them (one query, only when needed)."""
    if custom_fields is None:
        custom_fields = list(CustomField.objects.all())
    catalogue: dict[str, Spec] = {spec.key: spec for spec in _fixed_fields()}
    for key, condition in segment_conditions.items():
        if key != condition.key or key in catalogue or key.startswith("custom."):
            raise ImproperlyConfigured(
                f"Segment condition {condition.key!r} is registered as {key!r}: register it "
                "under its own key, which no other field may use."
            )
        catalogue[key] = condition
    for custom in custom_fields:
        catalogue[f"custom.{custom.key}"] = custom_field_spec(custom)
    return catalogue


# --- checking --------------------------------------------------------------------------------
def _uses_custom(node: Any) -> bool:
    if not isinstance(node, dict):
        return False
    if isinstance(node.get("rules"), list):
        return any(_uses_custom(child) for child in node["rules"])
    return str(node.get("field", "")).startswith("custom.")


def _int(value: Any, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise ValueError
    number = int(str(value).strip())
    if not low <= number <= high:
        raise ValueError
    return number


def _value_clean(spec: Spec, value_kind: str, value: Any) -> Any:
    """The condition's value in stored form, or ValueError with the message to show."""
    if value_kind == "text":
        text = str(value if value is not None else "").strip()
        if not text:
            raise ValueError(_("Enter a value."))
        if spec.kind == "tags":
            text = text.lower()
        return text[:200]
    if value_kind == "choice":
        allowed = [c for c, _label in spec.choices]
        if str(value) not in allowed:
            raise ValueError(_("Choose one of: %(c)s.") % {"c": ", ".join(allowed)})
        return str(value)
    if value_kind == "date":
        try:
            return dt.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError as exc:
            raise ValueError(_("Enter a date as YYYY-MM-DD.")) from exc
    if value_kind == "days":
        try:
            return _int(value, 1, MAX_DAYS)
        except (TypeError, ValueError) as exc:
            raise ValueError(_("Enter a number of days from 1 to 3650.")) from exc
    if value_kind == "count":
        try:
            return _int(value, 1, MAX_COUNT)
        except (TypeError, ValueError) as exc:
            raise ValueError(_("Enter a whole number of at least 1.")) from exc
    if value_kind == "score":
        try:
            return _int(value, 1, 5)
        except (TypeError, ValueError) as exc:
            raise ValueError(_("Enter a score from 1 to 5.")) from exc
    if value_kind == "number":
        return number_parse(value)
    if value_kind == "boolean":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"true", "yes", "1"}:
            return True
        if text in {"false", "no", "0"}:
            return False
        raise ValueError(_("Choose yes or no."))
    raise ValueError(_("Unknown value."))  # pragma: no cover


def _condition_clean(node: dict, path: str, catalogue, errors: dict) -> dict | None:
    unknown = set(node) - {"field", "cmp", "value", "event_type", "days"}
    for key in sorted(unknown):
        errors[f"{path}.{key}"] = _("Unknown key in a condition.")
    spec = catalogue.get(str(node.get("field") or ""))
    if spec is None:
        if node.get("field"):
            errors[f"{path}.field"] = _("There is no field “%(f)s”.") % {"f": node.get("field")}
        else:
            errors[f"{path}.field"] = _("Choose a field.")
        return None
    cmp = str(node.get("cmp") or "")
    if cmp not in spec.cmps:
        labels = ", ".join(spec.cmps)
        errors[f"{path}.cmp"] = _("Choose a comparison: %(c)s.") % {"c": labels}
        return None
    cleaned: dict[str, Any] = {"field": spec.key, "cmp": cmp}
    value_kind = spec.cmps[cmp]
    if value_kind:
        try:
            cleaned["value"] = _value_clean(spec, value_kind, node.get("value"))
        except ValueError as exc:
            errors[f"{path}.value"] = str(exc)
    if spec.kind in NEEDS_DAYS:
        try:
            cleaned["days"] = _value_clean(spec, "days", node.get("days"))
        except ValueError as exc:
            errors[f"{path}.days"] = str(exc)
    if spec.kind == "event":
        event_type = str(node.get("event_type") or "").strip()
        if not event_type or len(event_type) > 64:
            errors[f"{path}.event_type"] = _("Enter an event type, e.g. purchase.made.")
        cleaned["event_type"] = event_type
    return cleaned


def _group_clean(node: Any, path: str, depth: int, catalogue, errors: dict, count: list) -> dict:
    prefix = f"{path}." if path else ""
    if not isinstance(node, dict):
        errors[path or "rules"] = _("Send a group as an object with op and rules.")
        return {"op": "and", "rules": []}
    op = node.get("op", "and")
    if op not in OPS:
        errors[f"{prefix}op"] = _("Choose and or or.")
    children = node.get("rules", [])
    if not isinstance(children, list):
        errors[f"{prefix}rules"] = _("Send the rules as a list.")
        children = []
    cleaned = []
    for index, child in enumerate(children):
        child_path = f"{prefix}rules.{index}"
        if isinstance(child, dict) and "rules" in child:
            if depth + 1 >= MAX_DEPTH:
                errors[child_path] = _("Groups can be nested at most %(n)d levels deep.") % {
                    "n": MAX_DEPTH - 1
                }
                continue
            cleaned.append(_group_clean(child, child_path, depth + 1, catalogue, errors, count))
        elif isinstance(child, dict):
            count[0] += 1
            condition = _condition_clean(child, child_path, catalogue, errors)
            if condition is not None:
                cleaned.append(condition)
        else:
            errors[child_path] = _("Send a condition or a group as an object.")
    return {"op": op if op in OPS else "and", "rules": cleaned}


def rules_clean(
    rules: Any, *, require_condition: bool = False, custom_fields: list | None = None
) -> dict:
    """The rule tree checked and normalised; a ValidationError names every bad rule's path."""
    if rules in (None, {}):
        rules = {"op": "and", "rules": []}
    if custom_fields is None and not _uses_custom(rules):
        custom_fields = []  # no query when no condition names a custom field
    catalogue = field_catalogue(custom_fields)
    errors: dict[str, str] = {}
    count = [0]
    cleaned = _group_clean(rules, "", 0, catalogue, errors, count)
    if count[0] > MAX_CONDITIONS:
        errors["rules"] = _("Use at most %(n)d conditions.") % {"n": MAX_CONDITIONS}
    elif require_condition and count[0] == 0 and not errors:
        errors["rules"] = _("Add at least one condition.")
    if errors:
        raise ValidationError({path: [message] for path, message in errors.items()})
    cleaned["_catalogue"] = catalogue  # compile reuses it; dropped before storing
    return cleaned


def rules_for_storage(cleaned: dict) -> dict:
    return {key: value for key, value in cleaned.items() if key != "_catalogue"}


# --- compiling -------------------------------------------------------------------------------
def _today(now: dt.datetime) -> dt.date:
    """Today in the business's time zone (dates in rules are the business's dates)."""
    from apps.tenants.services import tenant_current

    try:
        zone = zoneinfo.ZoneInfo(tenant_current().time_zone)
    except Exception:  # no tenant (e.g. a bare shell): the active time zone
        zone = timezone.get_current_timezone()
    return now.astimezone(zone).date()


def _day_start(day: dt.date) -> dt.datetime:
    from apps.tenants.services import tenant_current

    try:
        zone = zoneinfo.ZoneInfo(tenant_current().time_zone)
    except Exception:
        zone = timezone.get_current_timezone()
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone)


def _json(key: str, lookup: str, value: Any) -> Q:
    """A lookup on `custom -> key` (jsonb): numbers compare as numbers, ISO dates as text."""
    transform = KeyTransform(key, "custom")
    if lookup in ("exact", "gt", "gte", "lt", "lte"):
        value = Value(value, output_field=JSONField())  # jsonb on both sides, never a cast
    lookup_class = transform.get_lookup(lookup)
    assert lookup_class is not None  # jsonb keys take every lookup named here
    return Q(lookup_class(transform, value))


def _mmdd(expression: str):
    return ExtractMonth(expression) * 100 + ExtractDay(expression)


def _birthday_within(days: int, today: dt.date) -> Q:
    """Birthday (month and day) between today and today + days, across the new year."""
    if days >= 365:
        return Q(birthday__isnull=False)
    end = today + dt.timedelta(days=days)
    start_key, end_key = today.month * 100 + today.day, end.month * 100 + end.day
    after_start = Q(GreaterThanOrEqual(_mmdd("birthday"), start_key))
    before_end = Q(LessThanOrEqual(_mmdd("birthday"), end_key))
    return (after_start & before_end) if end_key >= start_key else (after_start | before_end)


def _text(column: str, cmp: str, value: Any) -> Q:
    if cmp == "empty":
        return Q(**{column: ""})
    if cmp == "not_empty":
        return ~Q(**{column: ""})
    if column == "email":  # stored lower-case; plain lookups keep the prefix index usable
        value = value.lower()
        lookup = {"eq": "exact", "neq": "exact", "contains": "contains", "starts": "startswith"}
    else:
        lookup = {"eq": "iexact", "neq": "iexact", "contains": "icontains", "starts": "istartswith"}
    condition = Q(**{f"{column}__{lookup[cmp]}": value})
    return ~condition if cmp == "neq" else condition


def _custom(spec: FieldSpec, cmp: str, value: Any, today: dt.date) -> Q:
    key = spec.column
    if cmp == "empty":
        return ~Q(custom__has_key=key)
    if cmp == "not_empty":
        return Q(custom__has_key=key)
    if spec.kind == "custom_text":
        return _json(key, "icontains" if cmp == "contains" else "iexact", value)
    if spec.kind == "number":
        return _json(key, {"gt": "gt", "lt": "lt", "eq": "exact"}[cmp], value)
    if spec.kind == "choice":
        condition = _json(key, "exact", value)
        return ~condition | ~Q(custom__has_key=key) if cmp == "neq" else condition
    if spec.kind == "boolean":
        # "is no" also matches contacts for whom the field was never filled in
        return (
            _json(key, "exact", True)
            if value
            else ~Q(custom__has_key=key) | _json(key, "exact", False)
        )
    if cmp == "before":
        return _json(key, "lt", value)
    if cmp == "after":
        return _json(key, "gt", value)
    if cmp == "within_next":
        end = today + dt.timedelta(days=value)
        return _json(key, "gte", today.isoformat()) & _json(key, "lte", end.isoformat())
    start = today - dt.timedelta(days=value)  # within_last
    return _json(key, "gte", start.isoformat()) & _json(key, "lte", today.isoformat())


def signed_amount():
    return Case(
        When(kind=TransactionKind.REFUND, then=-F("amount")),
        default=F("amount"),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def _condition(spec: Spec, node: dict, now: dt.datetime, today: dt.date) -> Q:
    if isinstance(spec, SegmentCondition):
        return spec.compile(node, now, today)
    cmp = node["cmp"]
    value: Any = node.get("value")  # already checked against the comparison's kind of value
    kind = spec.kind
    if spec.key.startswith("custom."):
        return _custom(spec, cmp, value, today)
    if kind == "text":
        return _text(spec.column, cmp, value)
    if spec.key == "rfm.segment":
        has = Exists(RfmScore.objects.filter(contact=OuterRef("pk"), segment=value))
        return Q(has) if cmp == "eq" else ~Q(has)
    if kind == "choice":
        condition = Q(**{spec.column: value})
        return condition if cmp == "eq" else ~condition
    if kind == "tags":
        condition = Q(tags__contains=[value])
        return condition if cmp == "has" else ~condition
    if kind == "created":
        if cmp == "within_last":
            return Q(created__gte=now - dt.timedelta(days=value))
        day = dt.date.fromisoformat(value)
        if cmp == "before":
            return Q(created__lt=_day_start(day))
        return Q(created__gte=_day_start(day + dt.timedelta(days=1)))
    if kind == "birthday":
        if cmp == "empty":
            return Q(birthday__isnull=True)
        if cmp == "within_next":
            return _birthday_within(value, today)
        return Q(**{f"birthday__{'lt' if cmp == 'before' else 'gt'}": value})
    if kind == "score":
        lookup = f"{spec.column}__{cmp}"
        return Q(Exists(RfmScore.objects.filter(contact=OuterRef("pk"), **{lookup: value})))
    if kind == "last_purchase":
        purchases = Transaction.objects.filter(
            contact=OuterRef("pk"), kind=TransactionKind.PURCHASE
        )
        if cmp == "never":
            return ~Q(Exists(purchases))
        recent = Exists(purchases.filter(occurred_at__gte=now - dt.timedelta(days=value)))
        if cmp == "within":
            return Q(recent)
        return Q(Exists(purchases)) & ~Q(recent)  # bought before, but not lately
    if kind == "spend":
        since = now - dt.timedelta(days=node["days"])
        totals = (
            Transaction.objects.filter(occurred_at__gte=since)
            .values("contact_id")
            .annotate(total=Sum(signed_amount()))
        )
        if cmp == "gt":
            return Q(pk__in=totals.filter(total__gt=value).values("contact_id"))
        # less than: everyone but those who spent at least that much (non-buyers spent 0)
        return ~Q(pk__in=totals.filter(total__gte=value).values("contact_id"))
    if kind == "event":
        since = now - dt.timedelta(days=node["days"])
        counted = (
            TimelineEvent.objects.filter(type=node["event_type"], occurred_at__gte=since)
            .values("contact_id")
            .annotate(n=Count("id"))
            .filter(n__gte=value)
            .values("contact_id")
        )  # uses the (type, occurred_at) index, then one hashed IN on contacts
        return Q(pk__in=counted) if cmp == "at_least" else ~Q(pk__in=counted)
    raise ValueError(f"no compiler for {spec.key}")  # pragma: no cover


def _compile(node: dict, catalogue, now: dt.datetime, today: dt.date) -> Q:
    if "rules" in node:
        parts = [_compile(child, catalogue, now, today) for child in node["rules"]]
        if not parts:
            return Q()
        combined = parts[0]
        for part in parts[1:]:
            combined = (combined | part) if node["op"] == "or" else (combined & part)
        return combined
    return _condition(catalogue[node["field"]], node, now, today)


def rules_compile(
    rules: Any, *, now: dt.datetime | None = None, custom_fields: list | None = None
) -> Q:
    """The rule tree as one Q on Contact (checked first: a bad tree raises ValidationError).

    An empty tree matches every contact.
    """
    cleaned = rules_clean(rules, custom_fields=custom_fields)
    now = now or timezone.now()
    return _compile(cleaned, cleaned["_catalogue"], now, _today(now))
