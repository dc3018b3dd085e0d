"""Periods of the analytics dashboard: local days, the period before, daylight-saving nights."""

import datetime as dt
import zoneinfo

from cxsuite.lib.analytics import Period, period_ending, rate

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def test_a_week_is_seven_local_days_ending_with_today():
    now = dt.datetime(2026, 12, 7, 23, 30, tzinfo=dt.UTC)  # 00:30 on the 8th in Berlin
    period = period_ending("7d", now=now, zone=BERLIN)
    assert period.start == dt.datetime(2026, 12, 2, tzinfo=BERLIN)
    assert period.end == dt.datetime(2026, 12, 9, tzinfo=BERLIN)
    assert period.days == 7
    assert period.local_days()[-1] == dt.date(2026, 12, 8)


def test_the_period_before_has_the_same_number_of_local_days_across_a_clock_change():
    now = dt.datetime(2027, 4, 3, 12, tzinfo=BERLIN)
    period = period_ending("7d", now=now, zone=BERLIN)
    previous = period.previous
    assert previous.end == period.start
    assert previous.start == dt.datetime(2027, 3, 21, tzinfo=BERLIN)
    assert previous.days == 7
    # 28 March 2027, the period's first day, has 23 hours in Berlin: days, not 168 hours.
    assert period.start == dt.datetime(2027, 3, 28, tzinfo=BERLIN)
    elapsed = period.end.astimezone(dt.UTC) - period.start.astimezone(dt.UTC)
    assert elapsed == dt.timedelta(days=7, hours=-1)


def test_an_unknown_period_key_falls_back_to_thirty_days():
    now = dt.datetime(2026, 12, 7, 12, tzinfo=BERLIN)
    period = period_ending("1y; DROP", now=now, zone=BERLIN)
    assert isinstance(period, Period)
    assert (period.key, period.days) == ("30d", 30)


def test_a_rate_of_nothing_is_unknown_not_zero():
    assert rate(0, 0) is None
    assert rate(None, 5) is None
    assert rate(1, 3) == 33.3
