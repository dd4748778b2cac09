"""A person's standing in the month and the escalation period, and the pages it warrants.

Decisions only, like `attendance_engine.alerts`: the service reads the stored verdicts, words
the messages and queues them. Two kinds:

- ``attendance.monthly_flag``: the month crossed a threshold of the hall's rules: the
  late / early / off-post events reached ``return_to_unit_events`` or the absent days passed
  ``return_to_unit_absent_days`` (退回原单位, A7), or the score fell below ``qualified_min``
  (不合格, A12). Its key is (staff, month, reason): each crossing pages once.
- ``attendance.escalation_step``: a violation took the person to the next occurrence of its
  kind in the escalation period, and so to a rung of their category's ladder (A8). Its key
  is (staff, period, kind, occurrence): each rung reached pages once.

Like the verdicts' own pages, only recent crossings page (today's and yesterday's): a
terminal's backlog or a month judged again later is recorded, not paged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from attendance_engine.alerts import recent
from attendance_engine.escalation import EscalationStep, escalate
from attendance_engine.month import MonthSummary, summarize_month
from attendance_engine.results import DayResult
from attendance_engine.rules import Rules
from attendance_engine.types import StaffInfo
from attendance_engine.violations import Violation, all_violations

MONTHLY_FLAG_KIND = "attendance.monthly_flag"
ESCALATION_STEP_KIND = "attendance.escalation_step"
# The monthly thresholds, in the order their pages go out.
FLAG_REASONS = ("return_events", "return_absent", "unqualified")


@dataclass(frozen=True)
class MonthFlag:
    """One monthly threshold crossed: ``count`` (events, absent days or the score) against
    ``limit`` (the hall's threshold)."""

    staff_no: str
    year: int
    month: int
    reason: str
    count: float
    limit: float
    summary: MonthSummary

    @property
    def key(self) -> str:
        """(staff, month, reason): one page per threshold and month."""
        return f"{self.staff_no}:{self.year}-{self.month:02d}:{self.reason}"


def month_flags(summary: MonthSummary, rules: Rules) -> tuple[MonthFlag, ...]:
    """The monthly thresholds ``summary`` has crossed."""
    discipline = summary.late + summary.early + summary.off_post
    if not rules.missing_makes_absent:
        discipline += summary.missing  # a violation of its own then (see summarize_month)
    found: list[tuple[str, float, float]] = []
    if discipline >= rules.return_to_unit_events:
        found.append(("return_events", discipline, rules.return_to_unit_events))
    if summary.absent_days > rules.return_to_unit_absent_days:
        found.append(("return_absent", summary.absent_days, rules.return_to_unit_absent_days))
    if summary.grade == "unqualified":
        found.append(("unqualified", summary.score, rules.qualified_min))
    y, m, who = summary.year, summary.month, summary.staff_no
    return tuple(MonthFlag(who, y, m, r, count, limit, summary) for r, count, limit in found)


def period_name(step: EscalationStep, rules: Rules, tz: ZoneInfo) -> str:
    """The counting period of ``step``: ``2026`` or ``2026-03``."""
    at = step.at.astimezone(tz)
    return f"{at.year}-{at.month:02d}" if rules.escalation_period == "month" else f"{at.year}"


def step_key(step: EscalationStep, rules: Rules, tz: ZoneInfo) -> str:
    """(staff, period, kind, occurrence): one page per rung reached."""
    return f"{step.staff_no}:{period_name(step, rules, tz)}:{step.kind}:{step.occurrence}"


@dataclass(frozen=True)
class Standing:
    """The pages a person's standing warrants now."""

    flags: tuple[MonthFlag, ...]
    steps: tuple[EscalationStep, ...]


def standing(
    staff: StaffInfo,
    results: Sequence[DayResult],
    extra: Iterable[Violation],
    rules: Rules,
    *,
    tz: ZoneInfo,
    today: date,
    months: Iterable[tuple[int, int]],
) -> Standing:
    """What ``staff``'s period warrants: the flags of ``months`` and the recent steps.

    ``results`` are the person's days of one escalation period up to today (days without a
    violation may be left out); ``extra`` their violations found outside the day results
    (window uncovered). Only flags of ``months`` (those a recent change touched) are given.
    """
    others = tuple(extra)
    violations = (*all_violations(results, rules), *others)
    steps = escalate(violations, staff.category, rules)
    recent_steps = tuple(s for s in steps if recent(s.at.astimezone(tz).date(), today))
    flags: list[MonthFlag] = []
    for year, month in sorted(set(months)):
        mine = [r for r in results if (r.date.year, r.date.month) == (year, month)]
        theirs = [v for v in others if (v.date.year, v.date.month) == (year, month)]
        summary = summarize_month(staff, year, month, mine, rules, extra=theirs)
        flags += month_flags(summary, rules)
    return Standing(tuple(flags), recent_steps)
