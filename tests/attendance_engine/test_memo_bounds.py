"""The engine's memos are keyed by value: schedules built afresh for each report add nothing."""

from __future__ import annotations

from datetime import timedelta

from attendance_engine import (
    Facts,
    evaluate_day,
    evaluate_days,
    hall_y_schedule,
    two_punch_schedule,
)
from tests.attendance_engine.helpers import CALENDAR, MONDAY, RULES, STAFF, TZ, at
from tests.helpers.memos import engine_memo_sizes

MONTH = [MONDAY + timedelta(days=i) for i in range(31)]


def _month_of_fresh_schedules() -> None:
    """One report's evaluation, as the service does it: schedules read from the database."""
    schedules = (hall_y_schedule(), two_punch_schedule())  # equal values, new objects
    now = at(MONTH[-1] + timedelta(days=1), "00:00")
    days = [(day, Facts(())) for day in MONTH]
    evaluate_days(STAFF, days, schedules=schedules, calendar=CALENDAR, rules=RULES, tz=TZ, now=now)
    evaluate_day(
        STAFF,
        MONDAY,
        schedules=schedules,
        calendar=CALENDAR,
        facts=Facts(()),
        rules=RULES,
        tz=TZ,
        now=now,
    )


def test_memos_do_not_grow_with_equal_schedules_built_afresh() -> None:
    for _ in range(3):
        _month_of_fresh_schedules()
    settled = engine_memo_sizes()
    for _ in range(100):
        _month_of_fresh_schedules()
    assert engine_memo_sizes() == settled
