"""Leave length in working days, half days, and the approval chain (A5)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from attendance_engine.calendar import WorkCalendar
from attendance_engine.evaluate import local_dates
from attendance_engine.rules import Rules
from attendance_engine.schedule import Schedule, at_offset, pick_schedule
from attendance_engine.types import Leave

Half = Literal["am", "pm"]
_NOON = timedelta(hours=12)
_SECOND = timedelta(seconds=1)


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


def approval_rank(role: str, rules: Rules) -> int:
    """A role's place in the approval chain, 0 first (-1: may approve nothing)."""
    roles = [step.role for step in rules.approval_chain]
    return roles.index(role) if role in roles else -1


def may_approve(role: str, required: str, rules: Rules) -> bool:
    """True when a holder of ``role`` may approve what needs ``required``: that role or one
    above it in the chain. A role outside the chain approves nothing; a ``required`` role
    outside it needs any role in the chain."""
    return approval_rank(role, rules) >= max(approval_rank(required, rules), 0)


def half_day_bounds(
    schedule: Schedule, day: date, half: Half, tz: ZoneInfo
) -> tuple[datetime, datetime]:
    """The instants a half day of ``day`` spans (to the second): the day splits where the
    first pm slot's window opens, at noon when the schedule has no pm slot."""
    midnight = datetime.combine(day, time(0), tzinfo=tz)
    pm = next((w for w in schedule.windows() if w.spec.half == "pm"), None)
    split = midnight + (pm.start if pm is not None else _NOON)
    if half == "am":
        return midnight, split - _SECOND
    end_of_day = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return split, end_of_day - _SECOND
