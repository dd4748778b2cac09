"""Month recomputation, incremental bookkeeping, and the monthly tally per person (A7)."""

from __future__ import annotations

import calendar as _stdcal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from attendance_engine.calendar import WorkCalendar
from attendance_engine.escalation import EscalationStep, escalate
from attendance_engine.evaluate import evaluate_days, local_dates
from attendance_engine.results import DayResult
from attendance_engine.rules import Rules
from attendance_engine.schedule import Schedule
from attendance_engine.score import grade, score
from attendance_engine.types import (
    EARLY,
    LATE,
    LEAVE,
    MISSING,
    NORMAL,
    OFF,
    OFF_POST,
    PENDING,
    AwayPeriod,
    Fact,
    Facts,
    MakeUp,
    PunchFact,
    StaffInfo,
    Status,
)
from attendance_engine.violations import Violation, all_violations


def month_days(year: int, month: int) -> tuple[date, ...]:
    """Every date of a month."""
    return tuple(date(year, month, d) for d in range(1, _stdcal.monthrange(year, month)[1] + 1))


def evaluate_month(
    staff: StaffInfo,
    year: int,
    month: int,
    *,
    schedules: Sequence[Schedule],
    calendar: WorkCalendar,
    facts: Facts,
    rules: Rules,
    tz: ZoneInfo,
    now: datetime,
    go_live: date | None = None,
) -> tuple[DayResult, ...]:
    """Full recomputation: every day of the month for one person."""
    mine = facts.for_staff(staff.staff_no)
    return tuple(
        evaluate_days(
            staff,
            ((day, mine) for day in month_days(year, month)),
            schedules=schedules,
            calendar=calendar,
            rules=rules,
            tz=tz,
            now=now,
            go_live=go_live,
        )
    )


def affected_days(fact: Fact, tz: ZoneInfo, now: datetime) -> tuple[date, ...]:
    """The local dates whose results a new or changed ``fact`` can alter (re-evaluate these)."""
    if isinstance(fact, PunchFact):
        return (fact.at.astimezone(tz).date(),)
    if isinstance(fact, MakeUp):
        return (fact.slot_date,)
    if isinstance(fact, AwayPeriod):
        return local_dates(fact.start, max(fact.start, fact.end or now), tz)
    return local_dates(fact.start, fact.end, tz)


@dataclass(frozen=True)
class MonthSummary:
    """One person's month: counts, score, grade, flags and escalation steps."""

    staff_no: str
    year: int
    month: int
    workdays: int  # days the person was expected at work
    late: int
    early: int
    off_post: int
    missing: int  # missing slots, whether or not they made a half day absent
    absent_days: float
    leave_days: float  # half a day per half whose slots were all on leave
    pending: int  # slots not yet decided
    away_minutes: int  # unregistered minutes away (暂离 within the grace, off post, absent)
    window_uncovered: int
    lost_records: int
    events: int  # violations deducted at deduction_per_violation
    deducted: int
    score: int
    grade: str
    flags: tuple[str, ...]
    escalation: tuple[EscalationStep, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        fields = {k: v for k, v in self.__dict__.items() if k not in ("flags", "escalation")}
        return {
            **fields,
            "flags": list(self.flags),
            "escalation": [s.to_dict() for s in self.escalation],
        }


def _leave_halves(r: DayResult) -> int:
    """How many halves of the day have all their slots on leave."""
    on_leave = {s.half for s in r.slots if s.status is Status.LEAVE}
    return sum(
        1
        for half in ("am", "pm")
        if half in on_leave and all(s.status is Status.LEAVE for s in r.slots if s.half == half)
    )


def summarize_month(
    staff: StaffInfo,
    year: int,
    month: int,
    results: Sequence[DayResult],
    rules: Rules,
    *,
    lost_records: int = 0,
    extra: Sequence[Violation] = (),
    prior: Mapping[str, int] | None = None,
) -> MonthSummary:
    """Tally a month of one person's day results.

    ``extra`` holds violations found outside the day results (window uncovered, a duty
    chief's unrecorded violation); each deducts like any event. ``prior`` counts earlier
    offences per kind in the escalation period (see escalation.escalate).
    The return-to-unit flag counts late + early + off post (+ missing when it is a
    violation only), and absent days strictly above the threshold.
    """
    staff_no = staff.staff_no
    # One pass over the days for every count, each day's owner and month checked on the
    # way (a month report summarises 1,000 people): most slots are normal, and most days
    # yield no violation.
    late = early = missing = pending = off_post = workdays = leave_halves = absent_halves = 0
    away = 0
    # The days that can yield violations (all_violations decides which do): a day's status
    # is the worst of everything in it, so a normal or off day yields none.
    offending: list[DayResult] = []
    for r in results:
        day = r.date
        if r.staff_no != staff_no or day.month != month or day.year != year:
            raise ValueError(
                f"summary of {staff_no} for {year}-{month:02d} got the result of "
                f"{r.staff_no} on {day.isoformat()}"
            )
        away += r.away_minutes
        if r.status is NORMAL or r.status is OFF:
            workdays += 1 if r.slots else 0  # nothing else to count
            continue
        offending.append(r)
        on_leave = False
        for slot in r.slots:
            status = slot.status
            if status is NORMAL:
                continue
            if status is LATE:
                late += 1
            elif status is EARLY:
                early += 1
            elif status is MISSING:
                missing += 1
            elif status is PENDING:
                pending += 1
            elif status is LEAVE:
                on_leave = True
        for e in r.off_post:
            if e.status is OFF_POST:
                off_post += 1
        if r.slots:
            workdays += 1
        absent_halves += len(r.absent_halves)
        if on_leave:
            leave_halves += _leave_halves(r)
    for v in extra:
        if v.staff_no != staff_no:
            raise ValueError(f"summary of {staff_no} got a violation of {v.staff_no}")
    # Half days are exact in binary floating point: the same value as summing each day's.
    absent_days: float = 0.5 * absent_halves if results else 0
    discipline = late + early + off_post + (0 if rules.missing_makes_absent else missing)
    events = discipline + len(extra)
    points, deducted = score(events, absent_days, lost_records, rules)
    flags = []
    if discipline >= rules.return_to_unit_events or absent_days > rules.return_to_unit_absent_days:
        flags.append("return_to_unit")
    violations = (*all_violations(offending, rules), *extra)
    return MonthSummary(
        staff_no=staff.staff_no,
        year=year,
        month=month,
        workdays=workdays,
        late=late,
        early=early,
        off_post=off_post,
        missing=missing,
        absent_days=absent_days,
        leave_days=leave_halves / 2,
        pending=pending,
        away_minutes=away,
        window_uncovered=sum(1 for v in extra if v.kind == "window_uncovered"),
        lost_records=lost_records,
        events=events,
        deducted=deducted,
        score=points,
        grade=grade(points, rules),
        flags=tuple(flags),
        escalation=escalate(violations, staff.category, rules, prior),
    )
