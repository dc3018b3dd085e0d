"""Shared pieces of the appointments API: times with their offset, free slots as JSON, and the
409 of a lost race carrying the next free times."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from ..selectors import Slot
from ..services import SlotTaken
from . import examples


def iso_utc(value: dt.datetime) -> str:
    """The instant as DRF writes every other time of the API: ISO 8601 in UTC, with a Z."""
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def slot_rows(slots: list[Slot], zone: zoneinfo.ZoneInfo) -> list[dict]:
    """Free slots as plain JSON rows (a month of them is hundreds; no serializer per row)."""
    return [
        {
            "starts_at": iso_utc(slot.starts_at),
            "local_time": slot.starts_at.astimezone(zone).isoformat(),
            "staff_ids": list(slot.staff_ids),
        }
        for slot in slots
    ]


class SlotSerializer(serializers.Serializer):
    """One free start time (documentation of `slot_rows`)."""

    starts_at = serializers.DateTimeField(help_text="The start, in UTC")
    local_time = serializers.CharField(
        help_text="The same start in the practice's time zone, with its offset, "
        "e.g. 2027-03-03T09:30:00+01:00"
    )
    staff_ids = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Who can take it, the least busy first; booking without `staff` picks the "
        "first one free",
    )


FIRST_YEAR, LAST_YEAR = 1900, 2999  # far enough; the ends of the calendar overflow in sums


class AwareDateTimeField(serializers.DateTimeField):
    """An instant: ISO 8601 with `Z` or an offset. A time without one is refused rather than
    read in some zone the caller did not mean."""

    def enforce_timezone(self, value: dt.datetime) -> dt.datetime:
        if timezone.is_naive(value):
            raise serializers.ValidationError(
                _(
                    "Give the time with its offset, e.g. 2027-03-03T09:30:00+01:00 or "
                    "2027-03-03T08:30:00Z."
                )
            )
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise serializers.ValidationError(
                _("Give a time between the years %(a)s and %(b)s.")
                % {"a": FIRST_YEAR, "b": LAST_YEAR}
            )
        return super().enforce_timezone(value)


class DayField(serializers.DateField):
    """A calendar day (YYYY-MM-DD) of the practice, within years the calendar can add to."""

    def to_internal_value(self, value) -> dt.date:
        day = super().to_internal_value(value)
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise serializers.ValidationError(
                _("Give a day between the years %(a)s and %(b)s.")
                % {"a": FIRST_YEAR, "b": LAST_YEAR}
            )
        return day


class SlotTakenMixin:
    """A lost race is a 409 that names `starts_at` and offers `next_slots`, the next free
    times in the same JSON as the availability endpoint."""

    def handle_exception(self, exc):
        if isinstance(exc, SlotTaken):
            from ..selectors import practice_zone

            exc.extra = {"next_slots": slot_rows(exc.next_slots, practice_zone())}
        return super().handle_exception(exc)


class SlotTakenDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text='"slot_taken"')
    message = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="`starts_at` with the message",
    )
    next_slots = SlotSerializer(many=True)


@extend_schema_serializer(examples=examples.SLOT_TAKEN)
class SlotTakenErrorSerializer(serializers.Serializer):
    """The 409 body of a lost race (documentation)."""

    error = SlotTakenDetailSerializer()
