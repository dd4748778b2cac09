"""A/B post cover (A6): a window is never empty during hours (不得空岗)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from attendance_engine.results import DayResult, SlotResult
from attendance_engine.rules import Rules
from attendance_engine.types import Leave, Status
from attendance_engine.violations import Violation

NOT_PRESENT = frozenset({Status.ABSENT, Status.MISSING, Status.LEAVE, Status.OUT, Status.OFF})


@dataclass(frozen=True)
class CoverVerdict:
    """A window with neither its A post nor its B post present at an in-slot deadline."""

    window: str
    date: date
    slot: str
    due: datetime
    a_staff: str
    b_staff: str | None
    a_status: Status
    b_status: Status | None
    status: Status = Status.WINDOW_UNCOVERED

    def violations(self) -> tuple[Violation, ...]:
        """One `window_uncovered` violation for each post holder."""
        people = [self.a_staff] + ([self.b_staff] if self.b_staff else [])
        return tuple(
            Violation(p, self.date, "window_uncovered", self.due, self.slot, window=self.window)
            for p in people
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "window": self.window,
            "date": self.date.isoformat(),
            "slot": self.slot,
            "due": self.due.isoformat(),
            "a_staff": self.a_staff,
            "b_staff": self.b_staff,
            "a_status": str(self.a_status),
            "b_status": str(self.b_status) if self.b_status else None,
            "status": str(self.status),
        }


def _slot_of(result: DayResult, name: str, like: SlotResult | None) -> SlotResult | None:
    found = result.slot(name)
    if found is None and like is not None:  # B may work another schedule: same kind and half
        found = next((s for s in result.slots if (s.kind, s.half) == (like.kind, like.half)), None)
    return found


def _result_of(by_staff: dict[str, DayResult], staff_no: str, day: date) -> DayResult:
    if staff_no not in by_staff:
        raise ValueError(f"window cover on {day.isoformat()}: no day result for {staff_no}")
    return by_staff[staff_no]


def window_cover(
    window: str,
    a_staff: str,
    b_staff: str | None,
    slot: str,
    day: date,
    results: Iterable[DayResult],
) -> CoverVerdict | None:
    """`window_uncovered` when A and B (if any) are both not present at in-slot ``slot``.

    Not present: absent, missing, on leave, out, or not expected that day. Returns None
    when someone is present or when a needed verdict is still `pending`.
    """
    by_staff = {r.staff_no: r for r in results if r.date == day}
    a_result = _result_of(by_staff, a_staff, day)
    a_slot = _slot_of(a_result, slot, None)
    a_status = a_slot.status if a_slot is not None else Status.OFF
    if a_status not in NOT_PRESENT:
        return None
    b_status: Status | None = None
    b_slot: SlotResult | None = None
    if b_staff is not None:
        b_result = _result_of(by_staff, b_staff, day)
        b_slot = _slot_of(b_result, slot, a_slot)
        b_status = b_slot.status if b_slot is not None else Status.OFF
        if b_status not in NOT_PRESENT:
            return None
    due_slot = a_slot or b_slot
    if due_slot is None:
        return None  # nobody was due at this window on that day
    return CoverVerdict(window, day, slot, due_slot.due, a_staff, b_staff, a_status, b_status)


def present_staff(results: Iterable[DayResult]) -> frozenset[str]:
    """Staff seen at work on a day: at least one slot punched (normal, late or early)."""
    here = {Status.NORMAL, Status.LATE, Status.EARLY}
    return frozenset(
        r.staff_no for r in results if any(s.status in here and s.punch for s in r.slots)
    )


@dataclass(frozen=True)
class SubstituteCheck:
    """Whether a leave may start as far as A6 goes, and why."""

    allowed: bool
    needed: bool
    reason: str  # not_needed, substitute_present, no_substitute, substitute_not_present
    substitute: str | None


def check_leave_substitute(
    leave: Leave,
    days: float,
    *,
    b_post: str | None,
    substitute: str | None,
    present: Collection[str],
    rules: Rules,
) -> SubstituteCheck:
    """Refuse a leave that needs a substitute on site (B post or named stand-in) without one.

    ``days`` is the leave's length in working days (see leave.leave_days). With a B post a
    substitute is needed from `substitute_days_with_b_post` (1 day); a single-person window
    needs one from `substitute_days_single_person` (half a day).
    """
    limit = rules.substitute_days_with_b_post if b_post else rules.substitute_days_single_person
    if days < limit:
        return SubstituteCheck(True, False, "not_needed", None)
    candidates = [c for c in (substitute, b_post) if c and c != leave.staff_no]
    if not candidates:
        return SubstituteCheck(False, True, "no_substitute", None)
    for person in candidates:
        if person in present:
            return SubstituteCheck(True, True, "substitute_present", person)
    return SubstituteCheck(False, True, "substitute_not_present", candidates[0])
