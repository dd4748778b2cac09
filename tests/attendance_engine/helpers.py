"""Shared builders for the engine tests: Hall Y's day in Shanghai, one staff member."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from attendance_engine import (
    DayResult,
    Facts,
    PunchFact,
    Rules,
    Schedule,
    StaffInfo,
    WorkCalendar,
    evaluate_day,
    hall_y_schedule,
)

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = date(2025, 3, 10)
HALL_Y = hall_y_schedule()
STAFF = StaffInfo("S001", "在编")
CALENDAR = WorkCalendar()
RULES = Rules()


def at(day: date, hhmmss: str) -> datetime:
    """An aware Shanghai instant on ``day`` at ``hh:mm`` or ``hh:mm:ss``."""
    return datetime.combine(day, time.fromisoformat(hhmmss), tzinfo=TZ)


def end_of(day: date) -> datetime:
    """A `now` after the whole day is decided."""
    return at(day, "23:59:59").replace(microsecond=999999)


def evaluate(
    facts: Facts,
    *,
    day: date = MONDAY,
    now: datetime | None = None,
    rules: Rules = RULES,
    schedules: tuple[Schedule, ...] = (HALL_Y,),
    staff: StaffInfo = STAFF,
    calendar: WorkCalendar = CALENDAR,
    go_live: date | None = None,
) -> DayResult:
    """Evaluate one staff-day with the shared defaults."""
    return evaluate_day(
        staff,
        day,
        schedules=schedules,
        calendar=calendar,
        facts=facts,
        rules=rules,
        tz=TZ,
        now=now if now is not None else at(day + timedelta(days=1), "00:00"),
        go_live=go_live,
    )


def statuses(result: DayResult) -> dict[str, str]:
    """Slot name -> status value."""
    return {s.slot: str(s.status) for s in result.slots}


def punches(day: date, *times: str, staff_no: str = "S001") -> Facts:
    """Facts holding punches of ``staff_no`` at the given local times."""
    return Facts(punches=tuple(PunchFact(staff_no, at(day, t)) for t in times))
