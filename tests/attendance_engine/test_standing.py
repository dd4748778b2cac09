"""Standing pages: monthly thresholds crossed, recent escalation steps, verdicts read back."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from attendance_engine import AwayPeriod, Facts, PunchFact, Rules, StaffInfo, Violation
from attendance_engine.results import day_from_dict
from attendance_engine.standing import (
    Paged,
    generation_key,
    month_flags,
    page_key,
    standing,
    step_key,
    withdrawals,
)
from tests.attendance_engine.helpers import CALENDAR, MONDAY, RULES, TZ, at, evaluate

CONTRACT = StaffInfo("S001", "聘用")


def _late(day: date, hhmm: str = "08:40") -> Facts:
    return Facts(
        punches=tuple(PunchFact("S001", at(day, t)) for t in (hhmm, "11:45", "14:25", "18:40"))
    )


def _workdays(first: date, n: int) -> list[date]:
    days, day = [], first
    while len(days) < n:
        if CALENDAR.is_workday(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def test_a_stored_verdict_reads_back_as_it_was() -> None:
    away = AwayPeriod("S001", "3", at(MONDAY, "15:00"), at(MONDAY, "15:40"))
    facts = Facts(punches=_late(MONDAY).punches, away=(away,))
    for result in (evaluate(facts), evaluate(Facts()), evaluate(facts, now=at(MONDAY, "09:00"))):
        assert day_from_dict(result.to_dict()) == result


def test_flags_at_the_thresholds_and_not_below() -> None:
    days = _workdays(MONDAY, 4)
    results = [evaluate(_late(d), day=d, staff=CONTRACT) for d in days]
    three = standing(CONTRACT, results[:3], (), RULES, tz=TZ, today=days[2], months={(2025, 3)})
    assert three.flags == ()  # three events, score 94: qualified
    four = standing(CONTRACT, results, (), RULES, tz=TZ, today=days[3], months={(2025, 3)})
    assert [(f.reason, f.count, f.limit) for f in four.flags] == [("return_events", 4, 4)]
    assert four.flags[0].key == "S001:2025-03:return_events"
    # Tighter rules: the same month is unqualified too (score 92 below 93).
    strict = Rules(qualified_min=93, excellent_min=95)
    summary = four.flags[0].summary
    assert [f.reason for f in month_flags(summary, strict)] == ["return_events"]
    again = standing(CONTRACT, results, (), strict, tz=TZ, today=days[3], months={(2025, 3)})
    assert [f.reason for f in again.flags] == ["return_events", "unqualified"]
    # Absent days strictly above the limit.
    absent = [evaluate(Facts(), day=d, staff=CONTRACT) for d in days[:3]]
    by_absence = standing(CONTRACT, absent[:2], (), RULES, tz=TZ, today=days[1], months={(2025, 3)})
    assert "return_absent" not in [f.reason for f in by_absence.flags]  # 2 days: not above 2
    over = standing(CONTRACT, absent, (), RULES, tz=TZ, today=days[2], months={(2025, 3)})
    assert ("return_absent", 3.0, 2) in [(f.reason, f.count, f.limit) for f in over.flags]


def test_only_recent_steps_page_and_each_has_its_own_key() -> None:
    days = _workdays(MONDAY, 3)
    results = [evaluate(_late(d), day=d, staff=CONTRACT) for d in days]
    uncovered = Violation("S001", days[2], "window_uncovered", at(days[2], "08:30"), "am_in")
    found = standing(
        CONTRACT, results, (uncovered,), RULES, tz=TZ, today=days[2], months={(2025, 3)}
    )
    steps = [(s.kind, s.occurrence, s.code) for s in found.steps]
    # The first late (two working days back) is past the horizon: recorded, not paged.
    assert steps == [
        ("late", 2, "fine_50_notice"),
        ("window_uncovered", 1, "self_criticism"),  # 08:30, before the late punch at 08:40
        ("late", 3, "suspended"),
    ]
    assert step_key(found.steps[2], RULES, TZ) == "S001:2025:late:3"
    monthly = Rules(escalation_period="month")
    assert step_key(found.steps[2], monthly, TZ) == "S001:2025-03:late:3"


def test_a_withdrawn_page_pages_again_under_its_next_generation() -> None:
    base = "S001:2025-03:return_events"
    assert page_key(base, {}) == (base, 1)
    standing_page = {base: Paged(base, 1, withdrawn=False)}
    assert page_key(base, standing_page) is None  # it stands: never twice
    assert withdrawals(standing_page, {base}) == ()
    assert withdrawals(standing_page, set()) == (standing_page[base],)
    gone = {base: Paged(base, 1, withdrawn=True)}
    assert withdrawals(gone, set()) == ()  # withdrawn once only
    assert page_key(base, gone) == (f"{base}#2", 2)
    second = {base: Paged(f"{base}#2", 2, withdrawn=True)}
    assert page_key(base, second) == (f"{base}#3", 3)
    assert generation_key(base, 1) == base
    with pytest.raises(ValueError, match="generation starts at 1"):
        generation_key(base, 0)


def test_every_step_of_the_period_is_warranted_not_only_the_recent() -> None:
    days = _workdays(MONDAY, 4)
    results = [evaluate(_late(d), day=d, staff=CONTRACT) for d in days]
    found = standing(CONTRACT, results, (), RULES, tz=TZ, today=days[3], months={(2025, 3)})
    keys = {step_key(s, RULES, TZ) for s in found.steps}
    assert keys < found.warranted  # the recent steps page; the earlier ones still hold
    assert "S001:2025:late:1" in found.warranted and "S001:2025-03:return_events" in found.warranted
    fewer = standing(CONTRACT, results[:3], (), RULES, tz=TZ, today=days[3], months={(2025, 3)})
    assert "S001:2025:late:4" not in fewer.warranted
    assert "S001:2025-03:return_events" not in fewer.warranted
