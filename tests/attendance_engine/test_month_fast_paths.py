"""The one-pass month summary equals the rules' counts taken one by one."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from attendance_engine import (
    DayResult,
    Fact,
    Rules,
    Status,
    Violation,
    all_violations,
    escalate,
    evaluate_month,
    grade,
    score,
    summarize_month,
)
from tests.attendance_engine.helpers import CALENDAR, MONDAY, TZ
from tests.attendance_engine.test_properties import (
    SCHEDULES,
    STAFF,
    any_fact,
    facts_of,
    now_strategy,
)


def _reference(
    results: Sequence[DayResult], rules: Rules, extra: Sequence[Violation]
) -> dict[str, object]:
    """Every count of `MonthSummary` computed on its own, straight from the rules."""
    statuses = Counter(s.status for r in results for s in r.slots)
    late, early, missing = statuses[Status.LATE], statuses[Status.EARLY], statuses[Status.MISSING]
    off_post = sum(1 for r in results for e in r.off_post if e.status is Status.OFF_POST)
    absent_days = sum(r.absent_days for r in results)
    discipline = late + early + off_post + (0 if rules.missing_makes_absent else missing)
    points, deducted = score(discipline + len(extra), absent_days, 0, rules)
    leave_halves = 0
    for r in results:
        for half in ("am", "pm"):
            mine = [s for s in r.slots if s.half == half]
            if mine and all(s.status is Status.LEAVE for s in mine):
                leave_halves += 1
    flagged = discipline >= rules.return_to_unit_events or (
        absent_days > rules.return_to_unit_absent_days
    )
    return {
        "workdays": sum(1 for r in results if r.expected),
        "late": late,
        "early": early,
        "off_post": off_post,
        "missing": missing,
        "absent_days": absent_days,
        "leave_days": leave_halves / 2,
        "pending": statuses[Status.PENDING],
        "events": discipline + len(extra),
        "deducted": deducted,
        "score": points,
        "grade": grade(points, rules),
        "flags": ("return_to_unit",) if flagged else (),
        "escalation": escalate(
            (*all_violations(results, rules), *extra), STAFF[0].category, rules, {"late": 2}
        ),
    }


@settings(max_examples=150, deadline=None)
@given(
    st.lists(any_fact, max_size=30),
    now_strategy,
    st.booleans(),
    st.integers(0, 2),
)
def test_the_month_summary_equals_its_counts_taken_one_by_one(
    items: list[Fact], now: datetime, missing_makes_absent: bool, uncovered: int
) -> None:
    rules = Rules(missing_makes_absent=missing_makes_absent)
    staff = STAFF[0]
    results = evaluate_month(
        staff, 2025, 3, schedules=SCHEDULES, calendar=CALENDAR, facts=facts_of(items),
        rules=rules, tz=TZ, now=now,
    )  # fmt: skip
    extra = [
        Violation(staff.staff_no, MONDAY, "window_uncovered", now - timedelta(hours=i), "am_in")
        for i in range(uncovered)
    ]
    for days in (results, results[7:14], ()):
        summary = summarize_month(staff, 2025, 3, days, rules, extra=extra, prior={"late": 2})
        got = {k: getattr(summary, k) for k in _reference(days, rules, extra)}
        expected = _reference(days, rules, extra)
        assert got == expected
        assert [type(got[k]) for k in got] == [type(expected[k]) for k in expected]
