"""Working days as data: statutory holidays, moved working days (调休) and admin overrides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date


def _no_overrides() -> Mapping[date, bool]:
    return {}


@dataclass(frozen=True)
class WorkCalendar:
    """Decides whether a date is a working day; the service fills it from chinesecalendar."""

    holidays: frozenset[date] = frozenset()
    moved_workdays: frozenset[date] = frozenset()  # weekends that are working days (调休)
    overrides: Mapping[date, bool] = field(default_factory=_no_overrides)  # admins' word wins
    weekend: frozenset[int] = frozenset({5, 6})  # date.weekday() values of rest days

    def is_workday(self, day: date) -> bool:
        """Override, else holiday (rest), else moved working day, else the weekend rule."""
        if day in self.overrides:
            return self.overrides[day]
        if day in self.holidays:
            return False
        if day in self.moved_workdays:
            return True
        return day.weekday() not in self.weekend
