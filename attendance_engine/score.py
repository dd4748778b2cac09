"""The monthly 100-point score (A12) and its grade."""

from __future__ import annotations

from attendance_engine.rules import Rules

GRADES = ("excellent", "qualified", "unqualified")


def score(events: int, absent_days: float, lost_records: int, rules: Rules) -> tuple[int, int]:
    """(score, deducted): 100 less the deductions, never below 0.

    `events` are the countable violations (late, early, off post, window uncovered, and
    missing when it is a violation only); each absent half day deducts
    `deduction_per_absent_half_day`; each lost record `deduction_per_lost_record`.
    """
    deducted = (
        events * rules.deduction_per_violation
        + round(absent_days * 2) * rules.deduction_per_absent_half_day
        + lost_records * rules.deduction_per_lost_record
    )
    return max(0, 100 - deducted), deducted


def grade(points: int, rules: Rules) -> str:
    """`excellent`, `qualified` or `unqualified` by the rules' thresholds."""
    if points >= rules.excellent_min:
        return "excellent"
    if points >= rules.qualified_min:
        return "qualified"
    return "unqualified"
