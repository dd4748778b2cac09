"""Violations (违纪) drawn from day results: the events that are counted, scored and escalated."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from attendance_engine.results import DayResult
from attendance_engine.rules import Rules
from attendance_engine.types import Status

# Kinds an engine day result yields; the service adds `window_uncovered` (空岗) from
# cover.window_cover and `duty_unrecorded` for a duty chief who left one out (A9).
KINDS = ("late", "early", "off_post", "missing", "absent", "window_uncovered", "duty_unrecorded")


@dataclass(frozen=True)
class Violation:
    """One countable offence of one person."""

    staff_no: str
    date: date
    kind: str
    at: datetime  # when it happened: the punch, the due time, or the start of the away period
    slot: str | None = None
    minutes: int | None = None
    days: float | None = None  # for `absent`: the day's absent days
    window: str | None = None

    @property
    def key(self) -> tuple[str, str, str, str]:
        """Identity for matching records: person, date, kind, slot or instant."""
        return (self.staff_no, self.date.isoformat(), self.kind, self.slot or self.at.isoformat())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "staff_no": self.staff_no,
            "date": self.date.isoformat(),
            "kind": self.kind,
            "at": self.at.isoformat(),
            "slot": self.slot,
            "minutes": self.minutes,
            "days": self.days,
            "window": self.window,
        }


def day_violations(result: DayResult, rules: Rules) -> tuple[Violation, ...]:
    """The decided violations of one day.

    Each late or early slot and each off-post event is one violation; a missing slot is
    one only when `missing_makes_absent` is off (otherwise it is part of the absence);
    a day with absent halves yields one `absent` violation carrying its absent days.
    """
    found: list[Violation] = []
    for s in result.slots:
        if s.status in (Status.LATE, Status.EARLY):
            at = s.punch if s.punch is not None else s.due
            found.append(
                Violation(result.staff_no, result.date, str(s.status), at, s.slot, s.minutes)
            )
        elif s.status is Status.MISSING and not rules.missing_makes_absent:
            found.append(Violation(result.staff_no, result.date, "missing", s.due, s.slot))
    for e in result.off_post:
        if e.status is Status.OFF_POST:
            found.append(
                Violation(
                    result.staff_no,
                    result.date,
                    "off_post",
                    e.start,
                    minutes=e.minutes,
                    window=e.window,
                )
            )
    if not found and not result.absent_halves:
        return ()  # the common case: a day without violations
    if result.absent_halves:
        first_slot = next((s for s in result.slots if s.half == result.absent_halves[0]), None)
        at = first_slot.due if first_slot is not None else min(e.start for e in result.off_post)
        found.append(Violation(result.staff_no, result.date, "absent", at, days=result.absent_days))
    return tuple(sorted(found, key=lambda v: (v.at, v.kind, v.slot or "")))


def all_violations(results: Iterable[DayResult], rules: Rules) -> tuple[Violation, ...]:
    """The decided violations of many days, in time order."""
    found = [v for r in results for v in day_violations(r, rules)]
    return tuple(sorted(found, key=lambda v: (v.at, v.staff_no, v.kind, v.slot or "")))
