"""Segment pages: the list (member counts load per row), the builder with its live count, and
static lists. The builder's form is flat: `op` joins the groups, `g<i>-op` joins the rows of
group i, and `g<i>-r<j>-<field|cmp|value|event_type|days>` is one condition. Adding a row or
a group, or changing a row's field, redraws that piece on the server (no inline script)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dc_field

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from apps.accounts.choices import Role
from apps.accounts.permissions import role_required

from .. import services
from ..models import Contact, CustomField, SegmentKind
from ..registries import event_types
from ..selectors.segment_rules import field_catalogue, rules_clean
from ..selectors.segments import (
    rules_members,
    segment_counts,
    segment_get,
    segment_list,
    segment_members,
    segment_sample,
)

RULES_CHANGED = "segment-rules-changed"
MAX_INDEX = 999
_ROW_KEY = re.compile(r"^g(\d{1,3})-r(\d{1,3})-(field|cmp|value|event_type|days)$")
_GROUP_KEY = re.compile(r"^g(\d{1,3})-op$")
MEMBER_PREVIEW = 50


def event_type_suggestions() -> list[tuple[str, str]]:
    """What the builder's event field suggests: every type of the event catalogue."""
    return sorted((name, str(spec.label)) for name, spec in event_types.items())


def _is_partial(request) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


def _writer_only(request) -> None:
    if request.method == "POST" and not request.user.has_role(Role.STAFF):
        raise PermissionDenied


# --- the builder's form ---------------------------------------------------------------------------
@dataclass
class Row:
    group: int
    index: int
    field: str = ""
    cmp: str = ""
    value: str = ""
    event_type: str = ""
    days: str = ""
    errors: list[str] = dc_field(default_factory=list)

    def condition(self) -> dict:
        condition = {"field": self.field, "cmp": self.cmp, "value": self.value}
        if self.field == "event":
            condition["event_type"] = self.event_type
        if self.field in ("event", "purchase.total"):
            condition["days"] = self.days
        return condition


@dataclass
class Group:
    index: int
    op: str = "and"
    rows: list[Row] = dc_field(default_factory=list)


def _form_parse(data) -> tuple[str, list[Group]]:
    """The flat builder fields as groups of rows, in index order."""
    groups: dict[int, Group] = {}
    rows: dict[tuple[int, int], Row] = {}
    for key in data:
        if match := _GROUP_KEY.match(key):
            gi = int(match[1])
            groups.setdefault(gi, Group(gi)).op = "or" if data.get(key) == "or" else "and"
        elif match := _ROW_KEY.match(key):
            gi, ri, name = int(match[1]), int(match[2]), match[3]
            groups.setdefault(gi, Group(gi))
            row = rows.setdefault((gi, ri), Row(gi, ri))
            setattr(row, name, str(data.get(key, "")).strip())
    for (gi, _ri), row in sorted(rows.items()):
        groups[gi].rows.append(row)
    op = "or" if data.get("op") == "or" else "and"
    return op, [groups[gi] for gi in sorted(groups)]


def _tree(op: str, groups: list[Group]) -> tuple[dict, list[list[Row]]]:
    """The rule tree of the filled-in rows, and which row sits at each tree position (to put
    an error such as `rules.1.rules.0.value` back on its row). Rows with no field are left out."""
    tree_groups, positions = [], []
    for group in groups:
        used = [row for row in group.rows if row.field]
        if used:
            tree_groups.append({"op": group.op, "rules": [row.condition() for row in used]})
            positions.append(used)
    return {"op": op, "rules": tree_groups}, positions


def _errors_place(message_dict: dict, positions: list[list[Row]]) -> list[str]:
    """Put each rule error on its row; return the ones that belong to no row."""
    loose = []
    for path, messages_ in message_dict.items():
        match = re.match(r"^rules\.(\d+)\.rules\.(\d+)\.", path)
        if (
            match
            and int(match[1]) < len(positions)
            and int(match[2]) < len(positions[int(match[1])])
        ):
            positions[int(match[1])][int(match[2])].errors.extend(messages_)
        elif path.startswith("rules"):
            loose.extend(messages_)
    return loose


def _groups_from_rules(rules: dict) -> tuple[str, list[Group], bool]:
    """A stored tree as builder groups; direct conditions of the top group become its first
    group (same meaning). Returns False as the last item when the tree is too deep to edit."""
    op = rules.get("op", "and") if isinstance(rules, dict) else "and"
    children = rules.get("rules", []) if isinstance(rules, dict) else []
    direct = Group(0, op)
    groups: list[Group] = []
    editable = True
    for child in children:
        if "rules" in child:
            group = Group(len(groups) + 1, child.get("op", "and"))
            for item in child["rules"]:
                if "rules" in item:
                    editable = False
                    continue
                group.rows.append(_row_from_condition(group.index, len(group.rows), item))
            groups.append(group)
        else:
            direct.rows.append(_row_from_condition(0, len(direct.rows), child))
    if direct.rows or not groups:
        groups.insert(0, direct)
    if not any(group.rows for group in groups):
        groups[0].rows.append(Row(groups[0].index, 0))
    return op, groups, editable


def _row_from_condition(gi: int, ri: int, condition: dict) -> Row:
    value = condition.get("value", "")
    if isinstance(value, bool):
        value = "yes" if value else "no"
    return Row(
        gi,
        ri,
        str(condition.get("field", "")),
        str(condition.get("cmp", "")),
        "" if value is None else str(value),
        str(condition.get("event_type", "")),
        str(condition.get("days", "")),
    )


# --- how a row draws ------------------------------------------------------------------------------
def _field_options(catalogue) -> list[tuple[str, list[tuple[str, str]]]]:
    grouped: dict[str, list[tuple[str, str]]] = {}
    for spec in catalogue.values():
        grouped.setdefault(str(spec.group), []).append((spec.key, spec.label))
    return list(grouped.items())


def _row_view(row: Row, catalogue) -> dict:
    """What the row template needs: the comparisons of its field and the kind of value input."""
    spec = catalogue.get(row.field)
    cmps = list(spec.cmps.items()) if spec else []
    if spec and row.cmp not in spec.cmps:
        row.cmp = cmps[0][0]
    value_kind = spec.cmps.get(row.cmp, "") if spec else ""
    return {
        "row": row,
        "prefix": f"g{row.group}-r{row.index}",
        "spec": spec,
        "cmps": [(cmp, spec.cmp_label(cmp)) for cmp, _kind in cmps],
        "value_kind": value_kind,
        "choices": spec.choices if spec else (),
        "needs_days": bool(spec and spec.kind in ("event", "spend")),
        "is_event": bool(spec and spec.kind == "event"),
    }


def _builder_context(
    request, *, segment, name, description, op, groups, errors=None, loose_errors=(), editable=True
) -> dict:
    catalogue = field_catalogue(list(CustomField.objects.all()))
    return {
        "segment": segment,
        "name": name,
        "description": description,
        "op": op,
        "groups": [
            {"group": g, "rows": [_row_view(row, catalogue) for row in g.rows]} for g in groups
        ],
        "field_options": _field_options(catalogue),
        "event_types": event_type_suggestions(),
        "errors": errors or {},
        "loose_errors": list(loose_errors),
        "editable": editable,
        "can_edit": request.user.has_role(Role.STAFF),
    }


# --- pages ----------------------------------------------------------------------------------------
@role_required(Role.VIEWER)
@require_GET
def segment_list_view(request):
    """Every segment; the member counts arrive after the page, all in one request."""
    return render(
        request,
        "contacts/segment_list.html",
        {"segments": segment_list(), "can_edit": request.user.has_role(Role.STAFF)},
    )


@role_required(Role.VIEWER)
@require_GET
def segment_member_counts(request):
    """Every segment's member count (one query), swapped into the list's rows out of band."""
    segments = list(segment_list())
    counts = segment_counts(segments=segments)
    return render(
        request,
        "contacts/_segment_counts.html",
        {"rows": [(segment, counts[segment.pk]) for segment in segments]},
    )


@role_required(Role.VIEWER)
@require_GET
def segment_member_count(request, pk: int):
    segment = segment_get(pk)
    return render(
        request,
        "contacts/_segment_row_count.html",
        {"segment": segment, "count": segment_members(segment=segment).count()},
    )


def _save(request, segment):
    """Validate the posted builder and save it; returns a response or the context to redraw."""
    name, description = request.POST.get("name", ""), request.POST.get("description", "")
    kind = segment.kind if segment else request.POST.get("kind", SegmentKind.DYNAMIC)
    op, groups = _form_parse(request.POST)
    tree, positions = _tree(op, groups)
    rules = tree if kind == SegmentKind.DYNAMIC else None
    try:
        if segment is None:
            segment = services.segment_create(
                name=name, description=description, kind=kind, rules=rules, actor=request.user
            )
        else:
            segment = services.segment_update(
                segment=segment, name=name, description=description, rules=rules
            )
    except ValidationError as exc:
        errors = exc.message_dict
        loose = _errors_place(errors, positions)
        return None, {"errors": errors, "loose_errors": loose, "op": op, "groups": groups}
    messages.success(request, _("Segment “%(name)s” saved.") % {"name": segment.name})
    return redirect("contacts:segment_detail", pk=segment.pk), None


@role_required(Role.VIEWER)
@require_http_methods(["GET", "POST"])
def segment_create_view(request):
    _writer_only(request)
    kind = request.POST.get("kind") or request.GET.get("kind") or SegmentKind.DYNAMIC
    kind = kind if kind in SegmentKind.values else SegmentKind.DYNAMIC
    state = {"op": "and", "groups": [Group(0, "and", [Row(0, 0)])]}
    if request.method == "POST":
        response, state = _save(request, None)
        if response:
            return response
    context = _builder_context(
        request,
        segment=None,
        name=request.POST.get("name", ""),
        description=request.POST.get("description", ""),
        **state,
    )
    context["kind"] = kind
    return render(request, "contacts/segment_form.html", context)


@role_required(Role.VIEWER)
@require_http_methods(["GET", "POST"])
def segment_detail_view(request, pk: int):
    _writer_only(request)
    segment = segment_get(pk)
    editable = True
    if request.method == "POST":
        response, state = _save(request, segment)
        if response:
            return response
        name, description = request.POST.get("name", ""), request.POST.get("description", "")
    else:
        op, groups, editable = _groups_from_rules(segment.rules or {})
        state = {"op": op, "groups": groups}
        name, description = segment.name, segment.description
        if segment.kind == SegmentKind.DYNAMIC:
            try:  # a stored tree can go stale (a custom field deleted): say where
                rules_clean(segment.rules)
            except ValidationError as exc:
                _tree_op, positions = _tree(op, groups)
                state["loose_errors"] = _errors_place(exc.message_dict, positions)
    context = _builder_context(
        request,
        segment=segment,
        name=name,
        description=description,
        editable=editable,
        **state,
    )
    context["kind"] = segment.kind
    if segment.kind == SegmentKind.STATIC:
        members = segment_members(segment=segment)
        context["members"] = segment_sample(members, limit=MEMBER_PREVIEW)
        context["member_count"] = members.count()
    return render(request, "contacts/segment_form.html", context)


@role_required(Role.STAFF)
@require_POST
def segment_delete_view(request, pk: int):
    segment = segment_get(pk)
    services.segment_delete(segment=segment)
    messages.success(request, _("Segment “%(name)s” deleted.") % {"name": segment.name})
    if request.htmx:
        return HttpResponseClientRedirect(reverse("contacts:segment_list"))
    return redirect("contacts:segment_list")


@role_required(Role.STAFF)
@require_POST
def segment_member_remove_view(request, pk: int):
    segment = segment_get(pk)
    try:
        services.segment_members_remove(
            segment=segment, contact_ids=[request.POST.get("contact_id")]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("contacts:segment_detail", pk=segment.pk)


@role_required(Role.STAFF)
@require_POST
def segment_member_add_view(request, pk: int):
    """Add a contact to a static list by email or phone, as typed on the list's page."""
    segment = segment_get(pk)
    who = request.POST.get("who", "").strip()
    contact = (
        Contact.objects.filter(erased_at__isnull=True).filter(email__iexact=who).only("pk").first()
        if who
        else None
    )
    if contact is None:
        messages.error(request, _("No contact has the email “%(who)s”.") % {"who": who})
    else:
        try:
            added = services.segment_members_add(segment=segment, contact_ids=[contact.pk])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if added:
                messages.success(request, _("Added to the list."))
            else:
                messages.info(request, _("Already on the list."))
    return redirect("contacts:segment_detail", pk=segment.pk)


# --- builder fragments ----------------------------------------------------------------------------
def _path_label(path: str) -> str:
    match = re.match(r"^rules\.(\d+)\.rules\.(\d+)\.", path)
    if match:
        return _("Group %(g)d, condition %(c)d") % {"g": int(match[1]) + 1, "c": int(match[2]) + 1}
    return ""


@role_required(Role.VIEWER)
@require_GET
def segment_preview(request):
    """The live count and a few names for the rules as they stand in the builder (htmx)."""
    op, groups = _form_parse(request.GET)
    tree, _positions = _tree(op, groups)
    context = {"ready": True, "count": None, "sample": [], "problems": []}
    try:
        members = rules_members(tree)
        context["count"] = members.count()
        context["sample"] = segment_sample(members)
    except ValidationError as exc:
        context["problems"] = [
            f"{_path_label(path)}: {message}" if _path_label(path) else message
            for path, messages_ in exc.message_dict.items()
            for message in messages_
        ]
    context["empty_rules"] = not tree["rules"]
    return render(request, "contacts/_segment_count.html", context)


def _recount(response: HttpResponse) -> HttpResponse:
    """Ask the builder form to recount once the swap has settled (a removed row is gone by
    then, so it is not counted)."""
    return trigger_client_event(
        response, RULES_CHANGED, {"target": "#segment-form"}, after="settle"
    )


def _next_index(values, default: int = 0) -> int:
    return min(MAX_INDEX, max(values, default=default - 1) + 1)


@role_required(Role.VIEWER)
@require_GET
def segment_rule_row(request):
    """One condition row: a new one (next free index in its group) or the same row redrawn
    for the field or comparison just chosen. Asks the builder to recount."""
    try:
        gi = min(MAX_INDEX, int(request.GET.get("group", 0)))
    except ValueError:
        gi = 0
    _op, groups = _form_parse(request.GET)
    existing = next((g for g in groups if g.index == gi), Group(gi))
    if "index" in request.GET:
        try:
            ri = min(MAX_INDEX, int(request.GET["index"]))
        except ValueError:
            ri = 0
        row = next((r for r in existing.rows if r.index == ri), Row(gi, ri))
        if request.GET.get("reset"):  # a new field: its old comparison and value mean nothing
            row = Row(gi, ri, row.field)
    else:
        row = Row(gi, _next_index([r.index for r in existing.rows]))
    catalogue = field_catalogue(list(CustomField.objects.all()))
    context = {
        "rv": _row_view(row, catalogue),
        "field_options": _field_options(catalogue),
        "event_types": event_type_suggestions(),
        "can_edit": True,
        "editable": True,
    }
    response = render(request, "contacts/_rule_row.html", context)
    return _recount(response)


@role_required(Role.VIEWER)
@require_GET
def segment_rule_group(request):
    """A new group with one empty row, at the next free group index."""
    _op, groups = _form_parse(request.GET)
    group = Group(_next_index([g.index for g in groups], default=1))
    group.rows.append(Row(group.index, 0))
    catalogue = field_catalogue(list(CustomField.objects.all()))
    context = {
        "g": {"group": group, "rows": [_row_view(row, catalogue) for row in group.rows]},
        "field_options": _field_options(catalogue),
        "event_types": event_type_suggestions(),
        "can_edit": True,
        "editable": True,
    }
    response = render(request, "contacts/_rule_group.html", context)
    return _recount(response)


@role_required(Role.VIEWER)
@require_GET
def segment_rule_removed(request):
    """Answer for a removed row or group: nothing to draw (htmx deletes the element), but the
    count must follow."""
    return _recount(HttpResponse(""))
