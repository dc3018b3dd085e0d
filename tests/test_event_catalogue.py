"""Every timeline event type the code records or the demo seeds is declared once in the event
catalogue, and the timeline reads labels from it instead of branching per type.

The scan reads the source: the `type=` of any call, a `"type"` key of a dict (batches, the
demo), the event argument of the apps' own `_event`/`_timeline` helpers and the values of
`EVENT_*` maps; f-strings (`f"appointment.{status}"`) must match declared types by prefix.
Where the type is only known at run time, the suite's strict mode (EVENT_CATALOGUE_STRICT)
refuses an undeclared type the moment a test records it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings

from apps.contacts.catalogue import EventType, event_display, event_type_check
from apps.contacts.models import TimelineEvent
from apps.contacts.registries import event_types

ROOT = Path(settings.BASE_DIR)
TYPE_RE = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z_]*$")
HELPERS = {"_event", "_timeline", "event_record"}


def _strings(node: ast.AST) -> list[str]:
    return [
        n.value
        for n in ast.walk(node)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and TYPE_RE.match(n.value)
    ]


def _prefixes(node: ast.AST) -> list[str]:
    found = []
    for n in ast.walk(node):
        if isinstance(n, ast.JoinedStr) and n.values and isinstance(n.values[0], ast.Constant):
            prefix = str(n.values[0].value)
            if re.match(r"^[a-z_]+\.$", prefix):
                found.append(prefix)
    return found


def recorded_types(source: str) -> tuple[set[str], set[str]]:
    """(literal types, f-string prefixes) that a module records as timeline events."""
    tree = ast.parse(source)
    places: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            places += [kw.value for kw in node.keywords if kw.arg == "type"]
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in HELPERS and len(node.args) >= 2:
                places.append(node.args[1])
        elif isinstance(node, ast.Dict):
            places += [
                value
                for key, value in zip(node.keys, node.values, strict=True)
                if isinstance(key, ast.Constant) and key.value == "type"
            ]
        elif isinstance(node, ast.Assign):
            targets = [getattr(t, "id", "") for t in node.targets]
            if any(t.startswith("EVENT") for t in targets) and isinstance(node.value, ast.Dict):
                places += node.value.values
    literal, prefixes = set(), set()
    for place in places:
        literal |= set(_strings(place))
        prefixes |= set(_prefixes(place))
    return literal, prefixes


def undeclared(source: str) -> set[str]:
    literal, prefixes = recorded_types(source)
    missing = {name for name in literal if name not in event_types}
    missing |= {f"{p}*" for p in prefixes if not any(n.startswith(p) for n in event_types)}
    return missing


def _sources() -> list[Path]:
    files = [p for p in (ROOT / "apps").rglob("*.py") if "migrations" not in p.parts]
    return [p for p in files if p.name not in {"event_types.py", "catalogue.py"}]


def test_every_type_the_code_records_or_the_demo_seeds_is_declared():
    missing = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in _sources()
        for name in undeclared(path.read_text())
    }
    assert not missing, sorted(missing)


def test_the_scan_finds_the_types_of_every_module():
    literal = set()
    for path in _sources():
        literal |= recorded_types(path.read_text())[0]
    # the scan sees each module's events (so an empty scan cannot pass the test above)
    assert {"note.added", "message.received", "appointment.booked", "waitlist.joined"} <= literal
    assert {"page.viewed", "form.submitted"} <= literal  # the demo's website events


def test_an_undeclared_type_fails_the_check():
    source = """
def seed(contact):
    event_record(contact=contact, type="review.requested")
    batch = [{"type": rng.choice(["page.viewed", "email.opened"])}]
    _event(entry, f"rewards.{kind}")
"""
    assert undeclared(source) == {"review.requested", "email.opened", "rewards.*"}


def test_strict_mode_refuses_an_undeclared_type_at_run_time():
    with pytest.raises(LookupError):
        event_type_check("review.requested")
    event_type_check("note.added")


def test_the_timeline_template_has_no_branch_per_type():
    template = (ROOT / "templates/contacts/_timeline_event.html").read_text()
    assert "event.type" not in template
    assert not re.search(r"\.type\s*==", template)


def test_declaring_a_personal_or_shown_property_that_is_not_a_property_is_refused():
    with pytest.raises(ValueError):
        EventType("x.happened", "X", properties={"a": "a"}, personal=frozenset({"b"}))
    with pytest.raises(ValueError):
        EventType("x.happened", "X", properties={"a": "a"}, body="b")


def test_every_declared_type_renders_its_sentence_from_its_properties():
    for name, spec in event_types.items():
        values = {prop: f"<{prop}>" for prop in spec.properties}
        shown = event_display(TimelineEvent(type=name, properties=values))
        assert shown.title == str(spec.label) and shown.kind == name.split(".")[0]
        for fragment in spec.sentence:
            for prop in re.findall(r"{(\w+)}", fragment):
                assert prop in spec.properties, (name, prop)
    empty = event_display(TimelineEvent(type="appointment.booked", properties={}))
    assert (empty.detail, empty.link_url) == ("", "")  # nothing dangles without properties


def test_the_segment_builder_suggests_the_catalogue(owner_client):
    content = owner_client.get("/segments/new/").content.decode()
    assert '<option value="appointment.booked">' in content
    assert "review.requested" not in content  # a type nobody declares
