"""Violations (违纪) drawn from day results: the events that are counted, scored and escalated."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, NamedTuple

from attendance_engine.results import DayResult
from attendance_engine.rules import Rules
from attendance_engine.types import EARLY, LATE, MISSING, OFF_POST

# Kinds an engine day result yields; the service adds `window_uncovered` (空岗) from
# cover.window_cover and `duty_unrecorded` for a duty chief who left one out (A9).
KINDS = ("late", "early", "off_post", "missing", "absent", "window_uncovered", "duty_unrecorded")


class Violation(NamedTuple):  # a month report makes ~10,000
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


def _found(result: DayResult, rules: Rules) -> list[Violation]:
    """The decided violations of one day, in no particular order."""
    found: list[Violation] = []
    staff_no, day = result.staff_no, result.date
    for s in result.slots:
        status = s.status
        if status is LATE or status is EARLY:
            at = s.punch if s.punch is not None else s.due
            found.append(Violation(staff_no, day, str(status), at, s.slot, s.minutes, None, None))
        elif status is MISSING and not rules.missing_makes_absent:
            found.append(Violation(staff_no, day, "missing", s.due, s.slot, None, None, None))
    for e in result.off_post:
        if e.status is OFF_POST:
            found.append(
                Violation(staff_no, day, "off_post", e.start, None, e.minutes, None, e.window)
            )
    if result.absent_halves:
        first_slot = next((s for s in result.slots if s.half == result.absent_halves[0]), None)
        at = first_slot.due if first_slot is not None else min(e.start for e in result.off_post)
        found.append(Violation(staff_no, day, "absent", at, None, None, result.absent_days, None))
    return found


def day_violations(result: DayResult, rules: Rules) -> tuple[Violation, ...]:
    """The decided violations of one day.

    Each late or early slot and each off-post event is one violation; a missing slot is
    one only when `missing_makes_absent` is off (otherwise it is part of the absence);
    a day with absent halves yields one `absent` violation carrying its absent days.
    """
    found = _found(result, rules)
    if not found:
        return ()  # the common case: a day without violations
    return tuple(sorted(found, key=lambda v: (v.at, v.kind, v.slot or "")))


def all_violations(results: Iterable[DayResult], rules: Rules) -> tuple[Violation, ...]:
    """The decided violations of many days, in time order."""
    # Sorted once: this key orders ties of day_violations' key the same way.
    found = [v for r in results for v in _found(r, rules)]
    return tuple(sorted(found, key=lambda v: (v.at, v.staff_no, v.kind, v.slot or "")))
