"""The event catalogue: every timeline event type, declared once by the app that records it.

An app lists its types in `apps/<app>/event_types.py` and registers them in its
`AppConfig.ready()` with `event_types_register(EVENT_TYPES)`. The timeline reads the label and
the sentence from here (the template has no per-type branches), erasure drops the properties
declared personal (and any undeclared one), the segment builder suggests the types, and the
API documents the types partners may post.
"""

from __future__ import annotations

import contextlib
import logging
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from .registries import event_types

logger = logging.getLogger(__name__)

Labeller = Callable[[Any], str]


@dataclass(frozen=True)
class EventType:
    """One kind of thing that can happen to a contact.

    - `sentence`: the fragments shown after the label, each with `{property}` placeholders; a
      fragment whose placeholders are all empty is left out ("{service}", "· {staff}").
    - `properties`: every property the event carries, with what it holds (the API docs).
    - `personal`: the properties that can identify the person or hold what they wrote;
      erasure removes them (and every property not declared here).
    - `body`: a property shown as a paragraph of its own (a note's text).
    - `link`: (property holding an id, URL name, link text) for a link to the record.
    - `labels`: property -> function turning the stored value into words (choice labels).
    - `partner`: partners may post it through `POST /api/v1/events/batch/`.
    """

    name: str
    label: Any
    sentence: tuple[str, ...] = ()
    properties: Mapping[str, str] = field(default_factory=dict)
    personal: frozenset[str] = frozenset()
    body: str = ""
    link: tuple[str, str, Any] | None = None
    labels: Mapping[str, Labeller] = field(default_factory=dict)
    partner: bool = False

    def __post_init__(self) -> None:
        unknown = (set(self.personal) | set(self.labels)) - set(self.properties)
        if self.body:
            unknown |= {self.body} - set(self.properties)
        if unknown:
            raise ValueError(f"{self.name}: undeclared properties {sorted(unknown)}")

    @property
    def kind(self) -> str:
        """The family of the event (`appointment`, `message`): one style per family."""
        return self.name.split(".", 1)[0]

    @property
    def kept_on_erasure(self) -> list[str]:
        return sorted(set(self.properties) - set(self.personal))


def event_types_register(types: Iterable[EventType]) -> None:
    """Declare an app's event types (from its AppConfig.ready())."""
    for event_type in types:
        event_types.register(event_type.name, event_type)


def event_type_check(name: str) -> None:
    """Every recorded type is declared; an undeclared one is a programming error, refused
    where the tests run and logged in production (the event is still kept there)."""
    if name in event_types:
        return
    if getattr(settings, "EVENT_CATALOGUE_STRICT", False):
        raise LookupError(f"Timeline event type {name!r} is not declared in the event catalogue")
    logger.error("timeline event type %r is not declared in the event catalogue", name)


def partner_event_types() -> list[EventType]:
    return [t for t in event_types.values() if t.partner]


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


@dataclass(frozen=True)
class EventDisplay:
    """What the timeline shows of one event."""

    kind: str
    title: str
    detail: str = ""
    body: str = ""
    reason: str = ""
    link_url: str = ""
    link_text: str = ""
    extra: tuple[tuple[str, str], ...] = ()  # properties of an undeclared type, as they are


def _fragment(text: str, values: Mapping[str, str]) -> str:
    names = [name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name]
    if names and not any(values.get(name) for name in names):
        return ""
    return text.format_map(_Blank(values))


def event_display(event) -> EventDisplay:
    """Label, sentence, body and link of a timeline event, from its catalogue entry."""
    spec = event_types.get(event.type)
    properties = event.properties or {}
    if spec is None:
        return EventDisplay(
            kind="other",
            title=event.type,
            extra=tuple((str(k), str(v)[:200]) for k, v in properties.items()),
        )
    values = {}
    for name in spec.properties:
        value = properties.get(name)
        if value in (None, "", [], {}):
            continue
        labeller = spec.labels.get(name)
        values[name] = str(labeller(value) if labeller else value)
    detail = " ".join(part for part in (_fragment(f, values) for f in spec.sentence) if part)
    link_url = link_text = ""
    if spec.link is not None:
        prop, url_name, text = spec.link
        if str(properties.get(prop) or "").isdigit():
            with contextlib.suppress(NoReverseMatch):  # a module that has no pages here
                link_url, link_text = reverse(url_name, args=[properties[prop]]), str(text)
    return EventDisplay(
        kind=spec.kind,
        title=str(spec.label),
        detail=detail,
        body=str(properties.get(spec.body) or "") if spec.body else "",
        reason=str(properties.get("reason") or "") if "reason" in spec.properties else "",
        link_url=link_url,
        link_text=link_text,
    )


def choice_label(choices) -> Labeller:
    """A labeller for a TextChoices value (unknown values as they are)."""

    def label(value: Any) -> str:
        try:
            return str(choices(value).label)
        except ValueError:
            return str(value)

    return label
