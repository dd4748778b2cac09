"""Monthly tally: flags at 3 vs 4 events and 2 vs 2.5 absent days, score and grade (A7, A12)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

import pytest

from attendance_engine import (
    Facts,
    Leave,
    PunchFact,
    Rules,
    StaffInfo,
    Violation,
    evaluate_month,
    month_days,
    summarize_month,
)
from attendance_engine.month import MonthSummary
from tests.attendance_engine.helpers import CALENDAR, HALL_Y, RULES, STAFF, TZ, at

ON_TIME = ("08:20", "11:45", "14:25", "18:40")
WORKDAYS = [d for d in month_days(2025, 3) if CALENDAR.is_workday(d)]
NOW = datetime(2025, 4, 1, tzinfo=TZ)


def month_facts(changes: Mapping[date, tuple[str, ...]], leaves: tuple[Leave, ...] = ()) -> Facts:
    """On-time punches every working day of March 2025, except the days in ``changes``."""
    found = [PunchFact("S001", at(d, t)) for d in WORKDAYS for t in changes.get(d, ON_TIME)]
    return Facts(punches=tuple(found), leaves=leaves)


def summary(
    facts: Facts,
    rules: Rules = RULES,
    staff: StaffInfo = STAFF,
    *,
    lost_records: int = 0,
    extra: tuple[Violation, ...] = (),
    prior: dict[str, int] | None = None,
) -> MonthSummary:
    results = evaluate_month(
        staff,
        2025,
        3,
        schedules=(HALL_Y,),
        calendar=CALENDAR,
        facts=facts,
        rules=rules,
        tz=TZ,
        now=NOW,
    )
    return summarize_month(
        staff, 2025, 3, results, rules, lost_records=lost_records, extra=extra, prior=prior
    )


def late_days(n: int) -> dict[date, tuple[str, ...]]:
    return {d: ("08:35", "11:45", "14:25", "18:40") for d in WORKDAYS[:n]}


def test_a_clean_month() -> None:
    s = summary(month_facts({}))
    assert (s.workdays, s.late, s.absent_days, s.score, s.grade, s.flags) == (
        21,
        0,
        0,
        100,
        "excellent",
        (),
    )


def test_three_events_do_not_flag_four_do() -> None:
    three = summary(month_facts(late_days(3)))
    assert (three.late, three.flags, three.score, three.grade) == (3, (), 94, "qualified")
    changes = late_days(3) | {WORKDAYS[3]: ("08:20", "11:35", "14:25", "18:40")}
    four = summary(month_facts(changes))
    assert (four.late, four.early, four.flags) == (3, 1, ("return_to_unit",))
    assert four.score == 92


def absent_days(n_halves: int) -> dict[date, tuple[str, ...]]:
    changes: dict[date, tuple[str, ...]] = {}
    for i in range(n_halves):
        day = WORKDAYS[i // 2]
        morning_absent = ("11:45", "14:25", "18:40")
        both_absent: tuple[str, ...] = ()
        changes[day] = morning_absent if i % 2 == 0 else both_absent
    return changes


def test_two_absent_days_do_not_flag_more_do() -> None:
    two = summary(month_facts(absent_days(4)))
    assert (two.absent_days, two.flags) == (2.0, ())
    assert two.score == 100 - 4 * RULES.deduction_per_absent_half_day
    more = summary(month_facts(absent_days(5)))
    assert (more.absent_days, more.flags) == (2.5, ("return_to_unit",))
    three = summary(month_facts(absent_days(6)))
    assert (three.absent_days, three.flags) == (3.0, ("return_to_unit",))


def test_missing_counts_as_an_event_only_when_it_is_a_violation_only() -> None:
    changes = {d: ("08:20", "14:25", "18:40") for d in WORKDAYS[:4]}
    as_absence = summary(month_facts(changes))
    assert (as_absence.missing, as_absence.events, as_absence.flags) == (4, 0, ())
    assert as_absence.absent_days == 2.0
    as_violation = summary(month_facts(changes), rules=Rules(missing_makes_absent=False))
    assert (as_violation.missing, as_violation.events, as_violation.absent_days) == (4, 4, 0)
    assert as_violation.flags == ("return_to_unit",)


def test_lost_records_and_extra_events_deduct() -> None:
    extra = (Violation("S001", WORKDAYS[0], "window_uncovered", at(WORKDAYS[0], "08:46")),)
    s = summary(month_facts({}), lost_records=1, extra=extra)
    assert (s.lost_records, s.window_uncovered, s.events, s.score, s.grade) == (
        1,
        1,
        1,
        93,
        "qualified",
    )


def test_grade_boundaries() -> None:
    assert summary(month_facts(late_days(2)), rules=Rules()).grade == "excellent"  # 96
    five = summary(month_facts({}), lost_records=2)  # 90
    assert (five.score, five.grade) == (90, "qualified")
    assert summary(month_facts({}), lost_records=3).grade == "unqualified"  # 85


def test_leave_days_count_fully_covered_halves() -> None:
    leave = Leave(
        "S001", at(WORKDAYS[0], "08:00"), at(WORKDAYS[1], "12:00"), "annual", approved=True
    )
    s = summary(month_facts({WORKDAYS[0]: (), WORKDAYS[1]: ("14:25", "18:40")}, (leave,)))
    assert (s.leave_days, s.absent_days) == (1.5, 0)


def test_summary_escalates_same_kind_repeats_with_prior_counts() -> None:
    s = summary(month_facts(late_days(2)), prior={"late": 1})
    assert [(e.kind, e.occurrence, e.code) for e in s.escalation] == [
        ("late", 2, "allowance_withheld_notice"),
        ("late", 3, "target_bonus_half_withheld"),
    ]


def test_summary_refuses_someone_elses_results() -> None:
    other = StaffInfo("S002", "聘用")
    results = evaluate_month(
        other,
        2025,
        3,
        schedules=(HALL_Y,),
        calendar=CALENDAR,
        facts=Facts(),
        rules=RULES,
        tz=TZ,
        now=NOW,
    )
    with pytest.raises(ValueError, match="S002"):
        summarize_month(STAFF, 2025, 3, results, RULES)


def test_summary_serialises() -> None:
    import json

    data = summary(month_facts(late_days(1))).to_dict()
    json.dumps(data, ensure_ascii=False)
    assert data["late"] == 1 and data["escalation"][0]["zh"] == "书面检讨"
