"""Working days: weekends, statutory holidays, moved working days, admin overrides."""

from __future__ import annotations

from datetime import date

from attendance_engine import WorkCalendar

# Spring Festival 2025: 01-28..02-04 off, Sunday 01-26 and Saturday 02-08 moved working days.
SPRING_2025 = WorkCalendar(
    holidays=frozenset(date(2025, 1, d) for d in range(28, 32))
    | frozenset(date(2025, 2, d) for d in range(1, 5)),
    moved_workdays=frozenset({date(2025, 1, 26), date(2025, 2, 8)}),
)


def test_weekdays_work_and_weekends_rest_by_default() -> None:
    cal = WorkCalendar()
    assert cal.is_workday(date(2025, 3, 10))  # Monday
    assert not cal.is_workday(date(2025, 3, 15))  # Saturday


def test_statutory_holiday_and_moved_working_day() -> None:
    assert not SPRING_2025.is_workday(date(2025, 1, 29))  # a Wednesday in the holiday
    assert SPRING_2025.is_workday(date(2025, 1, 26))  # a Sunday worked (调休)
    assert not SPRING_2025.is_workday(date(2025, 1, 25))  # an ordinary Saturday


def test_admin_overrides_win_both_ways() -> None:
    cal = WorkCalendar(
        holidays=SPRING_2025.holidays,
        moved_workdays=SPRING_2025.moved_workdays,
        overrides={date(2025, 1, 29): True, date(2025, 1, 26): False, date(2025, 3, 10): False},
    )
    assert cal.is_workday(date(2025, 1, 29))
    assert not cal.is_workday(date(2025, 1, 26))
    assert not cal.is_workday(date(2025, 3, 10))


def test_other_weekend_rule() -> None:
    cal = WorkCalendar(weekend=frozenset({6}))  # a hall open on Saturdays
    assert cal.is_workday(date(2025, 3, 15))
    assert not cal.is_workday(date(2025, 3, 16))
