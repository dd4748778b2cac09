"""Working days: China's statutory holidays and moved working days (调休), plus admin overrides.

The `chinesecalendar` package carries the State Council's published calendar for the years it
knows. For a year it does not cover, the service warns loudly once and falls back to plain
weekends plus the admins' overrides: it never crashes on an unknown year.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import chinese_calendar

log = logging.getLogger(__name__)
HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}
_warned_years: set[int] = set()


@dataclass(frozen=True, slots=True)
class DayKind:
    """Whether a date is a working day, and why."""

    day: date
    workday: bool
    source: str  # "override", "calendar" or "weekend_fallback"
    note: str = ""


def calendar_covers(year: int) -> bool:
    """True when the national calendar data includes ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _warn_uncovered(year: int) -> None:
    if year not in _warned_years:
        _warned_years.add(year)
        log.warning(
            "holiday calendar has no data for %d: using weekends plus holiday overrides only; "
            "add that year's statutory holidays and moved working days as overrides, "
            "or upgrade the chinesecalendar package",
            year,
        )


def day_kind(day: date, overrides: Mapping[date, tuple[bool, str]]) -> DayKind:
    """Classify ``day``; ``overrides`` maps dates to (workday, note) and wins over all else."""
    if day in overrides:
        workday, note = overrides[day]
        return DayKind(day, workday, "override", note)
    kind = _calendar_kind(day)
    if kind is None:
        _warn_uncovered(day.year)
        return DayKind(day, day.weekday() < 5, "weekend_fallback")
    return kind


@lru_cache(maxsize=4096)
def _calendar_kind(day: date) -> DayKind | None:
    """The national calendar's verdict on ``day`` (None: a year it does not cover).

    Kept per date: the calendar is data shipped with the package, and every finished
    committed item asks about the working days up to its promised date.
    """
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        workday = chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None
    note = ""
    if on_holiday and name:
        note = HOLIDAY_NAMES_ZH.get(str(name), str(name))
    elif workday and day.weekday() >= 5:
        note = "调休上班"
    return DayKind(day, workday, "calendar", note)
