"""Off post (脱岗): 30 vs 31 minutes, registration, clipping to working hours (A3, A4)."""

from __future__ import annotations

import pytest

from attendance_engine import (
    AwayPeriod,
    Facts,
    Leave,
    OutRegistration,
    Rules,
    Status,
    day_violations,
    summarize_month,
    two_punch_schedule,
)
from tests.attendance_engine.helpers import MONDAY, RULES, STAFF, at, evaluate, punches

PRESENT = punches(MONDAY, "08:20", "11:45", "14:25", "18:40").punches


def away(start: str, end: str | None, staff_no: str | None = "S001") -> AwayPeriod:
    return AwayPeriod("W01", staff_no, at(MONDAY, start), at(MONDAY, end) if end else None)


@pytest.mark.parametrize(
    ("end", "minutes", "status", "absent_days"),
    [
        ("09:30:00", 30, Status.OFF_POST, 0),
        ("09:30:59", 30, Status.OFF_POST, 0),  # seconds dropped
        ("09:31:00", 31, Status.ABSENT, 0.5),
    ],
)
def test_thirty_minutes_is_a_violation_thirty_one_is_absent(
    end: str, minutes: int, status: Status, absent_days: float
) -> None:
    result = evaluate(Facts(punches=PRESENT, away=(away("09:00", end),)))
    (event,) = result.off_post
    assert (event.minutes, event.status, event.half) == (minutes, status, "am")
    assert result.absent_days == absent_days


def test_each_short_period_is_one_violation() -> None:
    periods = (away("09:00", "09:10"), away("10:00", "10:10"), away("15:00", "15:05"))
    result = evaluate(Facts(punches=PRESENT, away=periods))
    kinds = [v.kind for v in day_violations(result, RULES)]
    assert kinds == ["off_post", "off_post", "off_post"]
    assert result.status is Status.OFF_POST
    assert result.absent_days == 0


def test_registered_time_out_is_not_off_post() -> None:
    out = OutRegistration("S001", at(MONDAY, "09:00"), at(MONDAY, "09:50"), approved=True)
    result = evaluate(Facts(punches=PRESENT, outs=(out,), away=(away("09:00", "10:00"),)))
    (event,) = result.off_post
    assert (event.minutes, event.status) == (10, Status.OFF_POST)
    fully = OutRegistration("S001", at(MONDAY, "08:50"), at(MONDAY, "10:10"), approved=True)
    assert (
        evaluate(Facts(punches=PRESENT, outs=(fully,), away=(away("09:00", "10:00"),))).off_post
        == ()
    )


def test_unapproved_registration_covers_nothing() -> None:
    out = OutRegistration("S001", at(MONDAY, "09:00"), at(MONDAY, "10:00"), approved=False)
    result = evaluate(Facts(punches=PRESENT, outs=(out,), away=(away("09:00", "10:00"),)))
    assert result.off_post[0].status is Status.ABSENT


def test_approved_leave_is_not_off_post() -> None:
    leave = Leave("S001", at(MONDAY, "14:00"), at(MONDAY, "18:30"), "sick", approved=True)
    result = evaluate(Facts(punches=PRESENT, leaves=(leave,), away=(away("14:30", "18:30"),)))
    assert result.off_post == ()


def test_away_outside_working_hours_does_not_count() -> None:
    lunch = away("11:40", "14:30")
    result = evaluate(Facts(punches=PRESENT, away=(lunch, away("07:00", "08:30"))))
    assert result.off_post == ()


def test_a_period_over_lunch_is_split_per_half() -> None:
    result = evaluate(Facts(punches=PRESENT, away=(away("11:00", "14:50"),)))
    by_half = {e.half: (e.minutes, e.status) for e in result.off_post}
    assert by_half == {"am": (40, Status.ABSENT), "pm": (20, Status.OFF_POST)}
    assert result.absent_halves == ("am",)
    assert result.status is Status.ABSENT  # the absent half has no slot: its event shows


def test_still_away_is_pending_until_over_the_threshold() -> None:
    facts = Facts(punches=PRESENT, away=(away("09:00", None),))
    early = evaluate(facts, now=at(MONDAY, "09:20"))
    assert (early.off_post[0].minutes, early.off_post[0].status) == (20, Status.PENDING)
    assert early.absent_days == 0
    late = evaluate(facts, now=at(MONDAY, "09:45"))
    assert (late.off_post[0].minutes, late.off_post[0].status) == (45, Status.ABSENT)


def test_unattributed_and_other_peoples_periods_are_ignored() -> None:
    periods = (away("09:00", "10:00", None), away("09:00", "10:00", "S999"))
    assert evaluate(Facts(punches=PRESENT, away=periods)).off_post == ()


def test_two_punch_day_splits_the_working_hours_at_its_midpoint() -> None:
    two = (two_punch_schedule(),)
    facts = Facts(punches=punches(MONDAY, "08:50", "17:10").punches, away=(away("12:40", "13:20"),))
    result = evaluate(facts, schedules=two)
    assert {e.half: e.minutes for e in result.off_post} == {"am": 20, "pm": 20}
    assert result.absent_days == 0


PER_PERIOD = Rules(off_post_grace_minutes=15, off_post_grace_per="period")
PER_DAY = Rules(off_post_grace_minutes=15, off_post_grace_per="day")


@pytest.mark.parametrize(
    ("end", "status", "day_status", "absent_days"),
    [
        ("09:15", Status.AWAY, Status.NORMAL, 0),  # within the grace: 暂离, no violation
        ("09:16", Status.OFF_POST, Status.OFF_POST, 0),
        ("09:31", Status.ABSENT, Status.ABSENT, 0.5),  # the threshold is unchanged
    ],
)
def test_a_short_away_within_the_grace_is_not_off_post(
    end: str, status: Status, day_status: Status, absent_days: float
) -> None:
    result = evaluate(Facts(punches=PRESENT, away=(away("09:00", end),)), rules=PER_PERIOD)
    (event,) = result.off_post
    assert event.status is status
    assert (result.status, result.absent_days) == (day_status, absent_days)
    assert result.away_minutes == event.minutes
    assert result.to_dict()["away_minutes"] == event.minutes
    kinds = [v.kind for v in day_violations(result, PER_PERIOD)]
    assert ("off_post" in kinds) is (status is Status.OFF_POST)
    summary = summarize_month(STAFF, 2025, 3, [result], PER_PERIOD)
    assert summary.off_post == (1 if status is Status.OFF_POST else 0)


def test_the_grace_per_period_forgives_each_short_period() -> None:
    periods = (away("09:00", "09:10"), away("10:00", "10:10"), away("15:00", "15:05"))
    result = evaluate(Facts(punches=PRESENT, away=periods), rules=PER_PERIOD)
    assert [e.status for e in result.off_post] == [Status.AWAY] * 3
    assert (result.status, result.away_minutes) == (Status.NORMAL, 25)
    # A period over lunch is judged on its minutes in both halves together.
    lunch = evaluate(Facts(punches=PRESENT, away=(away("11:30", "14:40"),)), rules=PER_PERIOD)
    assert [(e.minutes, e.status) for e in lunch.off_post] == [
        (10, Status.OFF_POST),
        (10, Status.OFF_POST),
    ]


def test_the_grace_per_day_is_spent_in_time_order() -> None:
    periods = (away("09:00", "09:10"), away("10:00", "10:05"), away("15:00", "15:02"))
    result = evaluate(Facts(punches=PRESENT, away=periods), rules=PER_DAY)
    assert [e.status for e in result.off_post] == [Status.AWAY, Status.AWAY, Status.OFF_POST]
    assert result.status is Status.OFF_POST
    assert result.away_minutes == 17


def test_a_running_period_within_the_grace_stays_pending() -> None:
    facts = Facts(punches=PRESENT, away=(away("09:00", None),))
    running = evaluate(facts, now=at(MONDAY, "09:10"), rules=PER_PERIOD)
    assert running.off_post[0].status is Status.PENDING
    assert (running.status, running.away_minutes) == (Status.NORMAL, 10)


def test_the_grace_cannot_pass_the_absent_threshold() -> None:
    with pytest.raises(ValueError, match="off_post_grace_minutes"):
        Rules(off_post_grace_minutes=31)
    with pytest.raises(ValueError, match="off_post_grace_per"):
        Rules(off_post_grace_per="week")
