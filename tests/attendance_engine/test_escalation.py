"""Escalation ladders (A8): steps 1, 2, 3 and beyond for both categories."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from attendance_engine import Rules, Violation, escalate, ladder_step
from tests.attendance_engine.helpers import RULES, TZ


def late_on(*days: date, kind: str = "late") -> list[Violation]:
    return [
        Violation("S001", d, kind, datetime(d.year, d.month, d.day, 8, 40, tzinfo=TZ)) for d in days
    ]


@pytest.mark.parametrize(
    ("category", "codes", "third_zh"),
    [
        (
            "在编",
            ["self_criticism", "allowance_withheld_notice", "target_bonus_half_withheld"],
            "扣发全年目标考核奖50%",
        ),
        ("聘用", ["self_criticism", "fine_50_notice", "suspended"], "待岗"),
    ],
)
def test_ladder_steps_one_two_three_and_beyond(
    category: str, codes: list[str], third_zh: str
) -> None:
    days = [date(2025, 3, d) for d in (3, 4, 5, 6)]
    steps = escalate(late_on(*days), category, RULES)
    assert [s.occurrence for s in steps] == [1, 2, 3, 4]
    assert [s.code for s in steps] == [*codes, codes[2]]
    assert steps[0].zh == "书面检讨"
    assert steps[2].zh == third_zh
    assert all(s.en for s in steps)


def test_only_the_same_kind_escalates() -> None:
    events = late_on(date(2025, 3, 3)) + late_on(date(2025, 3, 4), kind="early")
    steps = escalate(events, "聘用", RULES)
    assert [(s.kind, s.occurrence) for s in steps] == [("late", 1), ("early", 1)]


def test_counting_period_year_or_month() -> None:
    events = late_on(date(2025, 3, 3), date(2025, 4, 3), date(2026, 1, 5))
    yearly = escalate(events, "在编", RULES)
    assert [s.occurrence for s in yearly] == [1, 2, 1]
    monthly = escalate(events, "在编", Rules(escalation_period="month"))
    assert [s.occurrence for s in monthly] == [1, 1, 1]


def test_order_of_input_does_not_matter() -> None:
    events = late_on(date(2025, 3, 3), date(2025, 3, 4))
    assert escalate(events, "在编", RULES) == escalate(events[::-1], "在编", RULES)


def test_bad_category_and_occurrence() -> None:
    with pytest.raises(ValueError, match="临时"):
        ladder_step("临时", 1, RULES)
    with pytest.raises(ValueError, match="occurrence"):
        ladder_step("在编", 0, RULES)
    with pytest.raises(ValueError, match="escalation_period"):
        Rules(escalation_period="week")
