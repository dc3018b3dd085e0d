"""The guarded entrance for input: what no request may carry, checked before anything reads it.

Every API body goes through `GuardedJSONParser` (or the form parsers below), set as DRF's
default parsers; every HTML form through `cxsuite.lib.forms.CleanTextFormMixin`. They refuse:

- bodies over `API_BODY_MAX_BYTES` (413) and JSON nested deeper than `JSON_MAX_DEPTH` (400),
  found by a scan that never recurses, before `json.loads` builds anything;
- numbers with more than `NUMBER_MAX_DIGITS` digits or an exponent over `NUMBER_MAX_EXPONENT`,
  refused on their text before any conversion (huge ones cost seconds to convert and fail later
  in the database or when written back out), and numbers that are not finite;
- control characters in any string, key or query parameter (tab, line feed and carriage return
  are fine inside text, never in names), and lone surrogates: PostgreSQL stores neither.

Errors name the field by its path in the body, e.g. `properties.note` or `events.0.email`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers, status

JSON_MAX_DEPTH = 32
NUMBER_MAX_DIGITS = 40
NUMBER_MAX_EXPONENT = 308  # the largest a float can hold; bigger is infinity or a huge integer

# Refused in text: C0 controls but tab, LF and CR; DEL and C1 controls; lone surrogates.
_REFUSED_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Names (keys, parameter names) take no line breaks or tabs either.
_REFUSED_IN_NAMES = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# In JSON text, a refused character can only arrive as an escape or as a raw DEL/C1 character
# (raw C0 characters are invalid JSON): a body without either needs no walk through its strings.
_SUSPECT_ESCAPES = re.compile(r"\\(?:[bfnrt]|u(?:00[01]|007[fF]|00[89]|[dD][89a-fA-F]))")
_RAW_C1 = re.compile("[\x7f-\x9f]")
# A string, or a quote that never closes (possessive quantifiers, and the lone quote consumed:
# linear even on hostile text). Whatever follows a lone quote is invalid JSON anyway.
_STRINGS = re.compile(r'"[^"\\]*+(?:\\[\s\S][^"\\]*+)*+"|"')
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_NUMBER = re.compile(r"\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*")


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


# --- text --------------------------------------------------------------------------------------
def text_refusal(value: str, *, name: bool = False) -> str | None:
    """Why this string cannot be taken (the first refused character), or None."""
    found = (_REFUSED_IN_NAMES if name else _REFUSED_IN_TEXT).search(value)
    if found is None:
        return None
    code = f"U+{ord(found.group()):04X}"
    if 0xD800 <= ord(found.group()) <= 0xDFFF:
        return _("Remove the character %(code)s: half a surrogate pair is no character.") % {
            "code": code
        }
    if name:
        return _("Names cannot hold control characters (found %(code)s).") % {"code": code}
    return _(
        "Remove the character %(code)s: control characters other than tab and line breaks "
        "are not accepted."
    ) % {"code": code}


def _printable(key: str) -> str:
    """A key as it can be shown in an error: refused characters written as \\uXXXX."""
    return _REFUSED_IN_NAMES.sub(lambda m: f"\\u{ord(m.group()):04x}", key)


def pairs_refusals(pairs: Iterable[tuple[str, list]]) -> dict[str, list[str]]:
    """Refused characters in form fields or query parameters: {name: [message]}."""
    errors: dict[str, list[str]] = {}
    for key, values in pairs:
        problem = text_refusal(key, name=True)
        if problem is None:
            for value in values:
                if isinstance(value, str):
                    problem = text_refusal(value)
                    if problem:
                        break
        if problem:
            errors[_printable(key)] = [problem]
    return errors


# --- numbers -----------------------------------------------------------------------------------
def number_refusal(text: str) -> str | None:
    """Why this number, written out, is too large to convert (or None); looks at its text only."""
    match = _NUMBER.fullmatch(text)
    if match is None:
        return None  # not a plain number: the conversion says what is wrong
    _sign, whole, fraction, exponent = match.groups()
    digits = len(whole.lstrip("0") or "0") + len(fraction or "")
    if digits > NUMBER_MAX_DIGITS or (
        exponent is not None
        and (len(exponent.lstrip("+-").lstrip("0")) > 3 or abs(int(exponent)) > NUMBER_MAX_EXPONENT)
    ):
        return _(
            "Use a number with at most %(digits)d digits and an exponent of at most %(exp)d."
        ) % {"digits": NUMBER_MAX_DIGITS, "exp": NUMBER_MAX_EXPONENT}
    return None


def number_parse(value) -> int | float:
    """A number sent as JSON or text, as an int when whole, else a float; ValueError with the
    message to show when it is no number or too large. Nothing huge is ever converted."""
    if isinstance(value, bool):
        raise ValueError(_("Enter a number."))
    text = str(value)
    match = _NUMBER.fullmatch(text)
    if match is None or not (match.group(2) or match.group(3)):
        raise ValueError(_("Enter a number."))
    problem = number_refusal(text)
    if problem:
        raise ValueError(problem)
    number = Decimal(text.strip())
    return int(number) if number == number.to_integral_value() else float(number)


# --- JSON --------------------------------------------------------------------------------------
class _Refused:
    """Stands in for a JSON number that was not converted; the walk reports where it is."""

    __slots__ = ("message",)

    def __init__(self, message: str):
        self.message = message


def _depth_check(text: str) -> None:
    """Refuse nesting deeper than JSON_MAX_DEPTH before any parser sees the text, without
    recursion: the strings are cut out (one linear regular expression), then a loop counts the
    brackets left, stopping at the first one too deep."""
    if text.count("[") + text.count("{") <= JSON_MAX_DEPTH:
        return
    depth = 0
    for bracket in _NOT_BRACKETS.sub("", _STRINGS.sub("", text)):
        if bracket in "[{":
            depth += 1
            if depth > JSON_MAX_DEPTH:
                raise exceptions.ParseError(
                    _("JSON parse error - nested deeper than %(max)d levels.")
                    % {"max": JSON_MAX_DEPTH}
                )
        else:
            depth -= 1


def _refusals(data) -> dict[str, list[str]]:
    """Walk the parsed body (without recursion) for refused characters and numbers."""
    errors: dict[str, list[str]] = {}
    stack: list[tuple[str, object]] = [("", data)]
    while stack and len(errors) < 50:
        path, value = stack.pop()
        if isinstance(value, str):
            problem = text_refusal(value)
            if problem:
                errors[path or "non_field_errors"] = [problem]
        elif isinstance(value, dict):
            for key, item in value.items():
                child = f"{path}.{_printable(key)}" if path else _printable(key)
                problem = text_refusal(key, name=True)
                if problem:
                    errors[child] = [problem]
                else:
                    stack.append((child, item))
        elif isinstance(value, list):
            stack.extend((f"{path}.{i}" if path else str(i), item) for i, item in enumerate(value))
        elif isinstance(value, _Refused):
            errors[path or "non_field_errors"] = [value.message]
    return errors


def json_loads_guarded(text: str):
    """Parse JSON text with the entrance's limits; raises DRF errors (400) naming the fields."""
    _depth_check(text)
    refused_numbers = False

    def parse_int(literal: str):
        nonlocal refused_numbers
        if len(literal) <= NUMBER_MAX_DIGITS:  # no exponent in an integer: few digits, cheap
            return int(literal)
        problem = number_refusal(literal)
        if problem:
            refused_numbers = True
            return _Refused(problem)
        return int(literal)

    def parse_float(literal: str):
        nonlocal refused_numbers
        problem = number_refusal(literal)
        if problem is None:
            number = float(literal)
            if number not in (float("inf"), float("-inf")):
                return number
            problem = _("Use a finite number.")
        refused_numbers = True
        return _Refused(problem)

    def parse_constant(literal: str):
        nonlocal refused_numbers
        refused_numbers = True
        return _Refused(_("Use a finite number (not %(name)s).") % {"name": literal})

    try:
        data = json.loads(
            text, parse_int=parse_int, parse_float=parse_float, parse_constant=parse_constant
        )
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise exceptions.ParseError(_("JSON parse error - nested too deep.")) from None
    except ValueError as exc:
        raise exceptions.ParseError(_("JSON parse error - %(e)s") % {"e": exc}) from None
    suspect = ("\\" in text and _SUSPECT_ESCAPES.search(text)) or _RAW_C1.search(text)
    if refused_numbers or suspect:
        errors = _refusals(data)
        if errors:
            raise exceptions.ValidationError(errors)
    return data


def body_size_check(request) -> None:
    """A 413 before any byte of an oversized body is read (Content-Length is all it takes: the
    server never reads past it)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise exceptions.ParseError(_("The Content-Length header is not a number.")) from None
    limit = settings.API_BODY_MAX_BYTES
    if length > limit:
        raise RequestTooLarge(
            _("The request body is over the limit of %(limit)d bytes.") % {"limit": limit}
        )


if TYPE_CHECKING:
    _ParserBase = parsers.BaseParser  # what the mixin is mixed into
else:
    _ParserBase = object


# --- parsers (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]) ----------------------------------------
class GuardedJSONParser(parsers.JSONParser):
    """JSON within the entrance's limits: size, depth, numbers, characters."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parsers.get_encoding(parser_context)  # type: ignore[attr-defined]  # not in the stubs
        limit = settings.API_BODY_MAX_BYTES
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise RequestTooLarge(
                _("The request body is over the limit of %(limit)d bytes.") % {"limit": limit}
            )
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise exceptions.ParseError(
                _("JSON parse error - the body is not %(encoding)s: %(e)s")
                % {"encoding": encoding, "e": exc.reason}
            ) from None
        return json_loads_guarded(text)


class _GuardedFormMixin(_ParserBase):
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        # the form parser returns a QueryDict, the multipart one DataAndFiles holding one
        data = cast(QueryDict, getattr(parsed, "data", parsed))
        errors = pairs_refusals(data.lists())
        if errors:
            raise exceptions.ValidationError(errors)
        return parsed


class GuardedFormParser(_GuardedFormMixin, parsers.FormParser):
    """Form-encoded bodies (a signed-in browser's) with the same character rules as JSON."""


class GuardedMultiPartParser(_GuardedFormMixin, parsers.MultiPartParser):
    """Multipart bodies with the same character rules as JSON."""
