"""Working days: China's statutory holidays and moved working days (调休), plus admin overrides.

The `chinesecalendar` package carries the State Council's published calendar for the years it
knows. For a year it does not cover, the service warns loudly once and falls back to plain
weekends plus the admins' overrides: it never crashes on an unknown year.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import chinese_calendar
import sqlalchemy as sa
from sqlmodel import Session

from hallbase.models import HolidayYear
from hallbase.words import has, t

log = logging.getLogger(__name__)
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


def missing_years(today: date, imported: Collection[int] = ()) -> list[int]:
    """The years neither the package nor an import covers: this one, and from December the
    next (the State Council publishes it then, and the hall must enter it before 1 January)."""
    years = [today.year, today.year + 1] if today.month == 12 else [today.year]
    return [y for y in years if y not in imported and not calendar_covers(y)]


def _warn_uncovered(year: int) -> None:
    if year not in _warned_years:
        _warned_years.add(year)
        log.warning(
            "holiday calendar has no data for %d: using weekends plus holiday overrides only; "
            "import that year's statutory holidays and moved working days "
            "(hallkeeper holidays import FILE) or upgrade the chinesecalendar package",
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
        key = f"holidays.{name}"  # the catalogue names the festivals the library knows
        note = t(key) if has(key) else str(name)
    elif workday and day.weekday() >= 5:
        note = t("holidays.workday")
    return DayKind(day, workday, "calendar", note)


def imported_years(session: Session) -> set[int]:
    """The years whose arrangement an admin imported."""
    table = HolidayYear.__table__  # type: ignore[attr-defined]
    return {row[0] for row in session.connection().execute(sa.select(table.c.year))}


def warn_missing_years(session: Session, today: date) -> list[int]:
    """Log (and return) the years the hall has no holiday data for: this one, and from
    December the next."""
    years = missing_years(today, imported_years(session))
    for year in years:
        log.warning(
            "no holiday data for %d: working days follow weekends and overrides only; "
            "import the State Council's notice for it (hallkeeper holidays import FILE)",
            year,
        )
    return years
