"""Leave length in working days and the approval chain (A5)."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from attendance_engine.calendar import WorkCalendar
from attendance_engine.evaluate import local_dates
from attendance_engine.rules import Rules
from attendance_engine.schedule import Schedule, at_offset, pick_schedule
from attendance_engine.types import Leave


def leave_days(
    leave: Leave,
    *,
    calendar: WorkCalendar,
    schedules: Sequence[Schedule],
    tz: ZoneInfo,
    names: Sequence[str] = (),
) -> float:
    """Working days a leave spans: half a day for each working half whose due times it all covers.

    Rest days are not counted; a leave covering only part of a half counts nothing.
    """
    halves = 0
    for day in local_dates(leave.start, leave.end, tz):
        if not calendar.is_workday(day):
            continue
        windows = pick_schedule(schedules, day, names).windows()
        for half in ("am", "pm"):
            dues = [at_offset(day, w.due, tz) for w in windows if w.spec.half == half]
            if dues and all(leave.start <= d <= leave.end for d in dues):
                halves += 1
    return halves / 2


def approver_for(days: float, rules: Rules) -> str:
    """The role that approves a leave of ``days`` working days (the first step long enough)."""
    for step in rules.approval_chain:
        if days <= step.max_days:
            return step.role
    raise ValueError(f"no role in the approval chain may approve {days} days of leave")


def approver_for_leave(
    leave: Leave,
    *,
    calendar: WorkCalendar,
    schedules: Sequence[Schedule],
    tz: ZoneInfo,
    rules: Rules,
    names: Sequence[str] = (),
) -> str:
    """The role that approves ``leave``, measured by `leave_days`."""
    days = leave_days(leave, calendar=calendar, schedules=schedules, tz=tz, names=names)
    return approver_for(days, rules)
