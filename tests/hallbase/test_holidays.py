"""Working days: national calendar, moved working days, overrides, the uncovered-year fallback."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from hallbase import holidays
from hallbase.holidays import calendar_covers, day_kind


def test_national_day_is_a_holiday_and_moved_saturday_is_a_workday() -> None:
    national = day_kind(date(2026, 10, 1), {})
    assert (national.workday, national.source, national.note) == (False, "calendar", "国庆节")
    moved = day_kind(date(2026, 10, 10), {})  # a Saturday worked in exchange (调休)
    assert moved.workday and moved.note == "调休上班"
    assert not day_kind(date(2026, 11, 21), {}).workday  # an ordinary Saturday


def test_override_wins_over_the_calendar() -> None:
    overrides = {date(2026, 10, 1): (True, "值班"), date(2026, 11, 23): (False, "停电检修")}
    assert day_kind(date(2026, 10, 1), overrides).workday
    closed = day_kind(date(2026, 11, 23), overrides)
    assert (closed.workday, closed.source, closed.note) == (False, "override", "停电检修")


def test_uncovered_year_warns_once_and_falls_back(caplog: pytest.LogCaptureFixture) -> None:
    year = 2031
    assert not calendar_covers(year)
    holidays._warned_years.discard(year)
    with caplog.at_level(logging.WARNING, logger="hallbase.holidays"):
        monday = day_kind(date(year, 1, 6), {})
        sunday = day_kind(date(year, 1, 5), {})
        day_kind(date(year, 1, 7), {})
    assert (monday.workday, monday.source) == (True, "weekend_fallback")
    assert not sunday.workday
    warnings = [r for r in caplog.records if str(year) in r.getMessage()]
    assert len(warnings) == 1
    assert day_kind(date(year, 1, 1), {date(year, 1, 1): (False, "元旦")}).source == "override"
