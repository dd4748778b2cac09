"""Leave length in working days and who approves it (A5)."""

from __future__ import annotations

from datetime import date

import pytest

from attendance_engine import (
    ApprovalStep,
    Leave,
    Rules,
    WorkCalendar,
    approver_for,
    approver_for_leave,
    leave_days,
)
from tests.attendance_engine.helpers import HALL_Y, MONDAY, RULES, TZ, at

FRIDAY = date(2025, 3, 14)


def leave(start_day: date, start: str, end_day: date, end: str) -> Leave:
    return Leave("S001", at(start_day, start), at(end_day, end), "personal", approved=True)


def days(x: Leave, calendar: WorkCalendar = WorkCalendar()) -> float:
    return leave_days(x, calendar=calendar, schedules=(HALL_Y,), tz=TZ)


def test_leave_length_counts_whole_working_halves() -> None:
    assert days(leave(MONDAY, "14:00", MONDAY, "18:30")) == 0.5
    assert days(leave(MONDAY, "08:30", MONDAY, "18:30")) == 1.0
    assert days(leave(MONDAY, "09:00", MONDAY, "18:30")) == 0.5  # the morning is only partly off
    assert days(leave(MONDAY, "08:30", MONDAY, "10:00")) == 0.0


def test_rest_days_do_not_count() -> None:
    # Friday afternoon to Monday noon: the weekend is not leave.
    assert days(leave(FRIDAY, "14:00", date(2025, 3, 17), "12:00")) == 1.0
    holiday = WorkCalendar(holidays=frozenset({date(2025, 3, 17)}))
    assert days(leave(FRIDAY, "14:00", date(2025, 3, 17), "12:00"), holiday) == 0.5


@pytest.mark.parametrize(
    ("length", "role"),
    [
        (0.0, "window_lead"),
        (0.5, "window_lead"),
        (1.0, "leader_in_charge"),
        (2.0, "leader_in_charge"),
        (2.5, "director"),
        (30.0, "director"),
    ],
)
def test_approval_chain(length: float, role: str) -> None:
    assert approver_for(length, RULES) == role


def test_approval_chain_is_configurable_and_can_run_out() -> None:
    short = Rules(approval_chain=(ApprovalStep("window_lead", 1.0),))
    assert approver_for(1.0, short) == "window_lead"
    with pytest.raises(ValueError, match="approval chain"):
        approver_for(1.5, short)
    with pytest.raises(ValueError, match="shortest first"):
        Rules(approval_chain=(ApprovalStep("director"), ApprovalStep("window_lead", 0.5)))


def test_approver_for_a_leave() -> None:
    two_days = leave(MONDAY, "08:00", date(2025, 3, 11), "19:00")
    assert (
        approver_for_leave(
            two_days, calendar=WorkCalendar(), schedules=(HALL_Y,), tz=TZ, rules=RULES
        )
        == "leader_in_charge"
    )
