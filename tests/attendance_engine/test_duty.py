"""The duty chief's daily record (A9)."""

from __future__ import annotations

import pytest

from attendance_engine import (
    DayResult,
    Facts,
    StaffInfo,
    Status,
    Violation,
    duty_record,
    unrecorded,
)
from tests.attendance_engine.helpers import MONDAY, RULES, at, evaluate, punches

A = StaffInfo("A01", "在编")
B = StaffInfo("B01", "聘用")


def results() -> list[DayResult]:
    return [
        evaluate(punches(MONDAY, "08:35", "11:45", "14:25", "18:40", staff_no="B01"), staff=B),
        evaluate(punches(MONDAY, "08:20", "11:45", "14:25", "18:40", staff_no="A01"), staff=A),
    ]


def test_record_lists_everyone_and_every_violation() -> None:
    uncovered = Violation(
        "A01", MONDAY, "window_uncovered", at(MONDAY, "14:46"), "pm_in", window="W1"
    )
    record = duty_record(MONDAY, results(), [uncovered], signed_by=None)
    assert [p.staff_no for p in record.presence] == ["A01", "B01"]
    assert [p.status for p in record.presence] == [Status.NORMAL, Status.LATE]
    assert [(v.staff_no, v.kind) for v in record.violations] == [
        ("B01", "late"),
        ("A01", "window_uncovered"),
    ]
    assert record.unsigned
    assert record.to_dict()["unsigned"] is True


def test_signed_record_and_no_duplicates() -> None:
    first = duty_record(MONDAY, results(), [], signed_by="D01")
    again = duty_record(MONDAY, results(), first.violations, signed_by="D01")
    assert not again.unsigned
    assert again.violations == first.violations


def test_unrecorded_violations_are_found() -> None:
    found = duty_record(MONDAY, results(), [], signed_by="D01").violations
    assert [v.kind for v in unrecorded(found, [])] == ["late"]
    assert unrecorded(found, found) == ()


def test_results_of_another_day_are_refused() -> None:
    other = evaluate(Facts(), day=MONDAY.replace(day=11), staff=A)
    with pytest.raises(ValueError, match="A01"):
        duty_record(MONDAY, [other], [], signed_by=None, rules=RULES)
