"""A/B cover (不得空岗) and the substitute rule for leave (A6)."""

from __future__ import annotations

import pytest

from attendance_engine import (
    DayResult,
    Facts,
    Leave,
    OutRegistration,
    StaffInfo,
    Status,
    check_leave_substitute,
    present_staff,
    window_cover,
)
from tests.attendance_engine.helpers import MONDAY, RULES, at, evaluate, punches

A = StaffInfo("A01", "在编")
B = StaffInfo("B01", "聘用")
FULL_DAY = ("08:20", "11:45", "14:25", "18:40")


def day_of(staff: StaffInfo, facts: Facts, now_hm: str = "23:00") -> DayResult:
    return evaluate(facts, staff=staff, now=at(MONDAY, now_hm))


def test_window_uncovered_when_neither_post_is_present() -> None:
    leave = Leave("A01", at(MONDAY, "08:00"), at(MONDAY, "18:30"), "sick", approved=True)
    results = [
        day_of(A, Facts(leaves=(leave,))),
        day_of(B, punches(MONDAY, "08:50", staff_no="B01")),  # absent: 20 minutes late
    ]
    verdict = window_cover("W01", "A01", "B01", "am_in", MONDAY, results)
    assert verdict is not None
    assert verdict.status is Status.WINDOW_UNCOVERED
    assert (verdict.a_status, verdict.b_status) == (Status.LEAVE, Status.ABSENT)
    assert verdict.due == at(MONDAY, "08:30")
    assert [v.staff_no for v in verdict.violations()] == ["A01", "B01"]


def test_b_post_present_covers_the_window() -> None:
    out = OutRegistration("A01", at(MONDAY, "08:00"), at(MONDAY, "12:00"), approved=True)
    results = [
        day_of(A, Facts(outs=(out,))),
        day_of(B, punches(MONDAY, "08:40", staff_no="B01")),  # late but there
    ]
    assert window_cover("W01", "A01", "B01", "am_in", MONDAY, results) is None


def test_a_present_needs_no_b() -> None:
    results = [day_of(A, punches(MONDAY, *FULL_DAY, staff_no="A01")), day_of(B, Facts())]
    assert window_cover("W01", "A01", "B01", "pm_in", MONDAY, results) is None


def test_single_person_window_is_uncovered_when_its_one_post_is_missing() -> None:
    results = [day_of(A, Facts())]
    verdict = window_cover("W02", "A01", None, "am_in", MONDAY, results)
    assert verdict is not None and verdict.a_status is Status.MISSING


def test_undecided_slots_give_no_verdict_yet() -> None:
    results = [day_of(A, Facts(), "08:40"), day_of(B, Facts(), "08:40")]
    assert window_cover("W01", "A01", "B01", "am_in", MONDAY, results) is None


def test_a_missing_result_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no day result for B01"):
        window_cover("W01", "A01", "B01", "am_in", MONDAY, [day_of(A, Facts())])


LEAVE = Leave("A01", at(MONDAY, "08:30"), at(MONDAY, "18:30"), "personal", approved=False)


@pytest.mark.parametrize(
    ("days", "b_post", "substitute", "present", "allowed", "reason"),
    [
        (0.5, "B01", None, set(), True, "not_needed"),
        (1.0, "B01", None, {"B01"}, True, "substitute_present"),
        (1.0, "B01", None, set(), False, "substitute_not_present"),
        (1.0, "B01", "C01", {"C01"}, True, "substitute_present"),
        (0.5, None, None, set(), False, "no_substitute"),
        (0.5, None, "C01", {"C01"}, True, "substitute_present"),
        (0.5, None, "C01", set(), False, "substitute_not_present"),
        (0.0, None, None, set(), True, "not_needed"),
        (1.0, None, "A01", {"A01"}, False, "no_substitute"),  # nobody stands in for themselves
    ],
)
def test_leave_substitute_rule(
    days: float,
    b_post: str | None,
    substitute: str | None,
    present: set[str],
    allowed: bool,
    reason: str,
) -> None:
    check = check_leave_substitute(
        LEAVE, days, b_post=b_post, substitute=substitute, present=present, rules=RULES
    )
    assert (check.allowed, check.reason) == (allowed, reason)


def test_present_staff_are_those_who_punched() -> None:
    results = [day_of(A, punches(MONDAY, "08:40", staff_no="A01")), day_of(B, Facts())]
    assert present_staff(results) == frozenset({"A01"})
