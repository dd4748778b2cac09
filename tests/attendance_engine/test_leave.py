"""Leave length in working days, half days, and who approves it (A5)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from attendance_engine import (
    ApprovalStep,
    Leave,
    Rules,
    Schedule,
    SlotSpec,
    WorkCalendar,
    approver_for,
    approver_for_leave,
    leave_days,
    two_punch_schedule,
)
from attendance_engine.leave import Half, approval_rank, half_day_bounds, may_approve
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


@pytest.mark.parametrize(
    ("role", "place"),
    [("window_lead", 0), ("leader_in_charge", 1), ("director", 2), ("clerk", -1), ("", -1)],
)
def test_approval_rank(role: str, place: int) -> None:
    assert approval_rank(role, RULES) == place


@pytest.mark.parametrize(
    ("role", "required", "allowed"),
    [
        ("window_lead", "window_lead", True),
        ("leader_in_charge", "window_lead", True),  # a role above may approve
        ("director", "leader_in_charge", True),
        ("director", "director", True),
        ("window_lead", "leader_in_charge", False),  # a role below may not
        ("leader_in_charge", "director", False),
        ("clerk", "window_lead", False),  # outside the chain: nothing
        ("clerk", "clerk", False),
        ("window_lead", "clerk", True),  # a required role outside the chain: any chain role
    ],
)
def test_who_may_approve(role: str, required: str, allowed: bool) -> None:
    assert may_approve(role, required, RULES) is allowed


def test_the_rank_follows_a_configured_chain() -> None:
    chain = Rules(approval_chain=(ApprovalStep("section_chief", 1.0), ApprovalStep("window_lead")))
    assert approval_rank("window_lead", chain) == 1
    assert may_approve("window_lead", "section_chief", chain)
    assert not may_approve("director", "section_chief", chain)


AM_ONLY = Schedule(
    "am_only", (SlotSpec("in", "in", time(8), "am"), SlotSpec("out", "out", time(11), "am"))
)
OWN_WINDOW = Schedule(
    "own_window",
    (SlotSpec("am_in", "in", time(8, 30), "am"),
     SlotSpec("pm_in", "in", time(14, 30), "pm", window_start=time(13, 30)),
     SlotSpec("pm_out", "out", time(18), "pm")),
)  # fmt: skip


@pytest.mark.parametrize(
    ("schedule", "half", "start", "end"),
    [
        (HALL_Y, "am", "00:00:00", "13:04:59"),  # the pm_in window opens at 13:05
        (HALL_Y, "pm", "13:05:00", "23:59:59"),
        (two_punch_schedule(), "am", "00:00:00", "12:59:59"),  # the out slot's window: 13:00
        (two_punch_schedule(), "pm", "13:00:00", "23:59:59"),
        (OWN_WINDOW, "am", "00:00:00", "13:29:59"),  # a window set by hand
        (OWN_WINDOW, "pm", "13:30:00", "23:59:59"),
        (AM_ONLY, "am", "00:00:00", "11:59:59"),  # no pm slot: noon
        (AM_ONLY, "pm", "12:00:00", "23:59:59"),
    ],
)
def test_half_day_bounds(schedule: Schedule, half: Half, start: str, end: str) -> None:
    assert half_day_bounds(schedule, MONDAY, half, TZ) == (at(MONDAY, start), at(MONDAY, end))


def test_half_days_meet_without_a_gap_and_keep_the_wall_clock_across_dst() -> None:
    london, spring = ZoneInfo("Europe/London"), date(2025, 3, 30)  # 01:00 -> 02:00
    am = half_day_bounds(HALL_Y, spring, "am", london)
    pm = half_day_bounds(HALL_Y, spring, "pm", london)
    assert am == (
        datetime(2025, 3, 30, tzinfo=london),
        datetime(2025, 3, 30, 13, 4, 59, tzinfo=london),
    )
    assert pm[0] == datetime(2025, 3, 30, 13, 5, tzinfo=london)
    assert (pm[0] - am[1]).total_seconds() == 1
    assert pm[1] == datetime(2025, 3, 30, 23, 59, 59, tzinfo=london)
