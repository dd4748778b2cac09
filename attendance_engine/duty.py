"""The duty chief's daily record (值班记录, A9): everyone's presence and every violation."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from attendance_engine.results import DayResult
from attendance_engine.rules import Rules
from attendance_engine.types import Status
from attendance_engine.violations import Violation, day_violations


@dataclass(frozen=True)
class PresenceLine:
    """One person's line in the record."""

    staff_no: str
    status: Status
    absent_days: float
    slots: tuple[tuple[str, Status], ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "staff_no": self.staff_no,
            "status": str(self.status),
            "absent_days": self.absent_days,
            "slots": [{"slot": n, "status": str(s)} for n, s in self.slots],
        }


@dataclass(frozen=True)
class DutyRecord:
    """A day's duty record; unsigned until the duty chief signs it."""

    date: date
    signed_by: str | None
    presence: tuple[PresenceLine, ...]
    violations: tuple[Violation, ...]

    @property
    def unsigned(self) -> bool:
        """True while no duty chief has signed."""
        return self.signed_by is None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "date": self.date.isoformat(),
            "signed_by": self.signed_by,
            "unsigned": self.unsigned,
            "presence": [p.to_dict() for p in self.presence],
            "violations": [v.to_dict() for v in self.violations],
        }


def duty_record(
    day: date,
    day_results: Sequence[DayResult],
    violations: Iterable[Violation],
    signed_by: str | None,
    rules: Rules | None = None,
) -> DutyRecord:
    """The record: everyone's presence, the results' violations plus ``violations``."""
    rules = rules or Rules()
    for r in day_results:
        if r.date != day:
            raise ValueError(
                f"duty record for {day.isoformat()} got {r.staff_no}'s result of {r.date}"
            )
    presence = tuple(
        PresenceLine(
            r.staff_no, r.status, r.absent_days, tuple((s.slot, s.status) for s in r.slots)
        )
        for r in sorted(day_results, key=lambda r: r.staff_no)
    )
    found: dict[tuple[str, str, str, str], Violation] = {}
    for r in day_results:
        for v in day_violations(r, rules):
            found.setdefault(v.key, v)
    for v in violations:
        if v.date != day:
            raise ValueError(f"duty record for {day.isoformat()} got a violation of {v.date}")
        found.setdefault(v.key, v)
    ordered = sorted(found.values(), key=lambda v: (v.at, v.staff_no, v.kind, v.slot or ""))
    return DutyRecord(day, signed_by, presence, tuple(ordered))


def unrecorded(found: Iterable[Violation], recorded: Iterable[Violation]) -> tuple[Violation, ...]:
    """Violations the engine found that a duty chief's record leaves out (A9's penalty)."""
    keys = {v.key for v in recorded}
    return tuple(v for v in found if v.key not in keys)
