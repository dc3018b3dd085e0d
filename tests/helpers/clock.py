"""The tests' clock: where "now" comes from, the dates and times tests book, and the
`--at` option that runs the suite at another instant.

Reading the clock (always through `timezone.now()`, so `--at` and `frozen_now` move it):
- `today(zone)`, `days_ahead(n, zone)`: the local date in a business's zone;
- `local(day, hour, minute, zone)`: a wall-clock time on a local date, as an aware datetime;
- `weekday_ahead(weekday)` / `next_week_at(hour)`: "a Wednesday at 10:00 next week", at least
  seven days away, so no notice window, reminder or "today" rule can reach it at any hour.

Holding the clock still:
- the `frozen_now` fixture stops the clock at 07:00 today in alpha's zone (the date still comes
  from the outer clock, so a run `--at` a daylight-saving day books across that change);
  with it `tomorrow_at(9)` is 25 to 27 hours ahead, outside a 24-hour notice window, and
  "the day after tomorrow at 10:00" is more than 48 hours ahead;
- `clock_at(instant)` does the same for any instant, inside a `with` block.

Running everything at another instant: `pytest --at=2027-03-28T01:30+01:00` (or
`--at=2027-03-28T01:30[Europe/Berlin]`, or `--at=23:30[Europe/Berlin]` for tonight there)
starts the clock there before the session's fixtures create the businesses, and lets it
tick. The live server of the browser tests shares it (same process); the Celery workers and
beats the worker tests start follow it through `clock_env()`, which tests/settings.py reads.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import time_machine
from django.utils import timezone

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")  # alpha's zone
LOS_ANGELES = zoneinfo.ZoneInfo("America/Los_Angeles")  # beta's zone
MORNING = dt.time(7)

# A child process's clock: the instant, and the real Unix time at which it held.
ENV_NOW = "CXSUITE_TEST_NOW"
ENV_REAL = "CXSUITE_TEST_NOW_REAL"


# --- reading the clock ---------------------------------------------------------------------------
def today(zone: zoneinfo.ZoneInfo = BERLIN) -> dt.date:
    """The local date now."""
    return timezone.now().astimezone(zone).date()


def days_ahead(days: int, zone: zoneinfo.ZoneInfo = BERLIN) -> dt.date:
    """The local date `days` calendar days from today (not 24-hour periods)."""
    return today(zone) + dt.timedelta(days=days)


def local(
    day: dt.date, hour: int, minute: int = 0, zone: zoneinfo.ZoneInfo = BERLIN
) -> dt.datetime:
    """A wall-clock time on a local date (it keeps its hour across a daylight-saving change)."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)


def weekday_ahead(
    weekday: int = 2, *, min_days: int = 7, zone: zoneinfo.ZoneInfo = BERLIN
) -> dt.date:
    """The first `weekday` (0 = Monday) at least `min_days` days from today."""
    first = days_ahead(min_days, zone)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7)


def next_week_at(
    hour: int = 10, minute: int = 0, *, weekday: int = 2, zone: zoneinfo.ZoneInfo = BERLIN
) -> dt.datetime:
    """A weekday at a wall-clock time next week (seven to thirteen days ahead)."""
    return local(weekday_ahead(weekday, zone=zone), hour, minute, zone)


def tomorrow_at(hour: int = 9, minute: int = 0, zone: zoneinfo.ZoneInfo = BERLIN) -> dt.datetime:
    """Tomorrow at a wall-clock time: with `frozen_now` (07:00 today), 09:00 tomorrow is more
    than 24 hours ahead on any date, daylight-saving eves included."""
    return local(days_ahead(1, zone), hour, minute, zone)


# --- holding the clock ---------------------------------------------------------------------------
def morning(zone: zoneinfo.ZoneInfo = BERLIN) -> dt.datetime:
    """07:00 today in `zone`."""
    return dt.datetime.combine(today(zone), MORNING, tzinfo=zone)


@contextmanager
def clock_at(instant: dt.datetime, *, tick: bool = False) -> Iterator[time_machine.Traveller]:
    """The clock at `instant` inside the block (standing still unless `tick`)."""
    if instant.tzinfo is None:
        raise ValueError("give the clock an aware datetime")
    # A timestamp, not the datetime: time-machine would also set the process's TZ to its zone.
    with time_machine.travel(instant.timestamp(), tick=tick) as traveller:
        yield traveller


@pytest.fixture
def frozen_now() -> Iterator[dt.datetime]:
    """The clock standing at 07:00 today in alpha's zone, for the whole test."""
    instant = morning()
    with clock_at(instant):
        yield instant


# --- child processes -----------------------------------------------------------------------------
def clock_env() -> dict[str, str]:
    """The variables that start a child process on this process's clock (none when the clock
    is the real one)."""
    if not time_machine.escape_hatch.is_travelling():
        return {}
    return {
        ENV_NOW: timezone.now().isoformat(),
        ENV_REAL: repr(time_machine.escape_hatch.time.time()),
    }


def clock_follow_env(environ: os._Environ | dict[str, str] = os.environ) -> None:
    """Move this process's clock to the one its parent passed in `clock_env()` (ticking)."""
    value = environ.get(ENV_NOW)
    if not value:
        return
    instant = dt.datetime.fromisoformat(value)
    real_then = environ.get(ENV_REAL)
    if real_then:
        instant += dt.timedelta(seconds=time.time() - float(real_then))  # not travelling yet
    time_machine.travel(instant.timestamp(), tick=True).start()  # for the process's life


# --- the --at option -----------------------------------------------------------------------------
_ZONED = re.compile(r"^(?P<local>[^\[\]]+)\[(?P<zone>[^\[\]]+)\]$")
_TIME_ONLY = re.compile(r"^\d{2}:\d{2}(:\d{2})?$")


def instant_parse(value: str) -> dt.datetime:
    """An instant from ISO 8601 with an offset (`2027-03-28T01:30+01:00`, `...Z`), a local
    time with an IANA zone in brackets (`2027-03-28T01:30[Europe/Berlin]`), or a time of day
    in a zone, today there (`23:30[Europe/Berlin]`)."""
    zoned = _ZONED.match(value.strip())
    try:
        if zoned:
            zone = zoneinfo.ZoneInfo(zoned["zone"])
            text = zoned["local"]
            if _TIME_ONLY.match(text):
                text = f"{dt.datetime.now(zone).date().isoformat()}T{text}"
            naive = dt.datetime.fromisoformat(text)
            if naive.tzinfo is not None:
                raise ValueError("a time with a zone in brackets takes no offset")
            instant = naive.replace(tzinfo=zone)
            if instant.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != naive:
                raise ValueError(f"{naive:%H:%M} does not exist on {naive:%Y-%m-%d} in {zone}")
            return instant
        instant = dt.datetime.fromisoformat(value.strip())
    except (ValueError, zoneinfo.ZoneInfoNotFoundError) as exc:
        raise pytest.UsageError(f"--at {value!r}: {exc}") from exc
    if instant.tzinfo is None:
        raise pytest.UsageError(
            f"--at {value!r}: give an offset (+01:00, Z) or a zone ([Europe/Berlin])"
        )
    return instant


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--at",
        "--clock",
        dest="clock_at",
        metavar="INSTANT",
        help="run every test with the clock starting at INSTANT and ticking, e.g. "
        "2027-03-28T01:30+01:00, 2027-03-28T01:30[Europe/Berlin] or 23:30[Europe/Berlin]",
    )


def pytest_configure(config: pytest.Config) -> None:
    value = config.getoption("clock_at", None)
    if value:
        instant = instant_parse(value)
        config._clock_at = instant
        config._clock_travel = time_machine.travel(instant.timestamp(), tick=True)
        config._clock_travel.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    travel = getattr(config, "_clock_travel", None)
    if travel is not None:
        travel.stop()
        config._clock_travel = None


def pytest_report_header(config: pytest.Config) -> str | None:
    instant = getattr(config, "_clock_at", None)
    if instant is None:
        return None
    return (
        f"clock: starts at {instant.isoformat()} ({instant.astimezone(dt.UTC):%Y-%m-%d %H:%M} "
        f"UTC, {instant.astimezone(BERLIN):%H:%M} in Berlin, "
        f"{instant.astimezone(LOS_ANGELES):%H:%M} in Los Angeles) and ticks"
    )
