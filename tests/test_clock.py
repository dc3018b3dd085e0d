"""The tests' clock (tests/helpers/clock.py): the dates it hands out hold at any hour, `--at`
moves the whole session, and a process a test starts follows the clock it is given."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.utils import timezone

from tests.helpers.clock import (
    BERLIN,
    LOS_ANGELES,
    clock_at,
    clock_env,
    days_ahead,
    instant_parse,
    local,
    morning,
    next_week_at,
    today,
    tomorrow_at,
    weekday_ahead,
)

# every hour of a week in each business's zone, and the nights the clocks change there
AWKWARD = [
    *(
        local(dt.date(2026, 12, 7) + dt.timedelta(days=day), hour, 30, zone)
        for zone in (BERLIN, LOS_ANGELES)
        for day in range(7)
        for hour in (0, 3, 9, 18, 23)
    ),
    dt.datetime(2027, 3, 28, 1, 30, tzinfo=BERLIN),
    dt.datetime(2027, 3, 27, 23, 30, tzinfo=BERLIN),
    dt.datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN),
    dt.datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN),
    dt.datetime(2027, 3, 14, 1, 30, tzinfo=LOS_ANGELES),
    dt.datetime(2026, 11, 1, 1, 30, tzinfo=LOS_ANGELES),
]


def _instant(value: str) -> dt.datetime:
    return instant_parse(value).astimezone(dt.UTC)


# --- the option's value --------------------------------------------------------------------------
def test_an_instant_is_an_offset_a_zone_or_a_time_tonight_in_a_zone():
    berlin_night = dt.datetime(2027, 3, 28, 0, 30, tzinfo=dt.UTC)
    assert _instant("2027-03-28T01:30+01:00") == berlin_night
    assert _instant("2027-03-28T00:30Z") == berlin_night
    assert _instant("2027-03-28T01:30[Europe/Berlin]") == berlin_night
    tonight = instant_parse("23:30[America/Los_Angeles]")
    assert tonight.astimezone(LOS_ANGELES).time() == dt.time(23, 30)
    assert tonight.date() == dt.datetime.now(LOS_ANGELES).date()


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("2027-03-28T02:30[Europe/Berlin]", "does not exist"),  # the hour summer time skips
        ("2027-03-28T01:30", "give an offset"),
        ("2027-03-28T01:30[Mars/Olympus]", "Mars/Olympus"),
        ("tomorrow", "tomorrow"),
    ],
)
def test_an_instant_that_names_no_moment_is_refused(value, says):
    with pytest.raises(pytest.UsageError, match=says):
        instant_parse(value)


# --- what the helpers hand out, at any hour -----------------------------------------------------
@pytest.mark.parametrize("instant", AWKWARD, ids=lambda i: i.isoformat())
def test_next_week_is_seven_to_thirteen_days_ahead_on_the_weekday_asked(instant):
    with clock_at(instant):
        for weekday in range(7):
            day = weekday_ahead(weekday)
            assert day.weekday() == weekday
            assert 7 <= (day - today()).days <= 13
        wednesday = next_week_at(10)
        assert wednesday.astimezone(BERLIN).time() == dt.time(10)
        assert wednesday - timezone.now() > dt.timedelta(days=6)


@pytest.mark.parametrize("instant", AWKWARD, ids=lambda i: i.isoformat())
def test_from_seven_in_the_morning_tomorrow_at_nine_is_outside_a_days_notice(instant):
    with clock_at(instant), clock_at(morning()):
        assert timezone.now().astimezone(BERLIN).time() == dt.time(7)
        assert tomorrow_at(9) - timezone.now() > dt.timedelta(hours=24)
        assert local(days_ahead(2), 10) - timezone.now() > dt.timedelta(hours=48)


def test_on_the_eve_of_summer_time_tomorrow_at_nine_is_25_hours_away():
    with clock_at(dt.datetime(2027, 3, 27, 18, tzinfo=BERLIN)), clock_at(morning()):
        assert tomorrow_at(9) - timezone.now() == dt.timedelta(hours=25)


def test_frozen_now_holds_the_clock_at_seven_in_berlin(frozen_now):
    assert timezone.now() == frozen_now
    assert frozen_now.astimezone(BERLIN).time() == dt.time(7)
    assert timezone.now() == frozen_now  # it stands still


# --- processes -----------------------------------------------------------------------------------
def _child_now(env: dict[str, str]) -> dt.datetime:
    code = (
        "import django; django.setup(); from django.utils import timezone; "
        "print(timezone.now().isoformat())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return dt.datetime.fromisoformat(result.stdout.strip().splitlines()[-1])


def test_a_process_started_with_clock_env_shares_the_clock():
    with clock_at(dt.datetime(2031, 5, 5, 12, tzinfo=dt.UTC), tick=True):
        env = clock_env()
        child = _child_now(env)
        # the child's clock went on from where ours was when it started, not from 12:00
        assert timezone.now() - dt.timedelta(seconds=60) < child <= timezone.now()
        assert child - dt.datetime(2031, 5, 5, 12, tzinfo=dt.UTC) > dt.timedelta(0)


def test_the_at_option_moves_the_session_clock_before_the_first_test(request):
    at = request.config.getoption("clock_at")
    if at:  # this is the inner run below
        started = instant_parse(at)
        assert dt.timedelta(0) <= timezone.now() - started < dt.timedelta(minutes=30)
        return
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:warnings",
            "--at=2031-05-05T12:00[America/Los_Angeles]",
            f"{__file__}::{request.node.name}",
        ],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "1 passed" in result.stdout, result.stdout[-3000:] + result.stderr[-2000:]
