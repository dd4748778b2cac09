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

A page whose threshold or rung no longer holds when the person is judged again (leave
approved afterwards, a make-up, a corrected verdict) is withdrawn by an
``attendance.cleared`` page with its key, whatever its age. A threshold or rung reached
again after its withdrawal pages again under its next generation's key (``<key>#2``, ...):
`withdrawals` and `page_key` decide both from what was paged (`Paged`, by base key).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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
    """The pages a person's standing warrants now: the flags of the months asked about and
    the recent steps (to page), and ``warranted``: the base keys of those flags and of every
    step of the period, recent or not (a page sent earlier whose key is not among them is
    withdrawn)."""

    flags: tuple[MonthFlag, ...]
    steps: tuple[EscalationStep, ...]
    warranted: frozenset[str] = frozenset()


GENERATION = "#"  # separates a base key from its generation (the first has none)


@dataclass(frozen=True)
class Paged:
    """What was paged under one base key: its latest generation and whether that page was
    withdrawn (``key`` is the latest page's key as stored)."""

    key: str
    generation: int
    withdrawn: bool


def generation_key(base: str, generation: int) -> str:
    """The key of a base key's ``generation``-th page: the base itself for the first."""
    if generation < 1:
        raise ValueError(f"a page's generation starts at 1, not {generation}")
    return base if generation == 1 else f"{base}{GENERATION}{generation}"


def page_key(base: str, paged: Mapping[str, Paged]) -> tuple[str, int] | None:
    """The key and generation to page ``base`` under now: the first generation when it was
    never paged, the next one when its latest page was withdrawn, None while that page stands."""
    before = paged.get(base)
    if before is None:
        return base, 1
    if not before.withdrawn:
        return None
    return generation_key(base, before.generation + 1), before.generation + 1


def withdrawals(paged: Mapping[str, Paged], warranted: Iterable[str]) -> tuple[Paged, ...]:
    """The standing pages (not withdrawn) among ``paged`` whose base key is no longer
    ``warranted``, in key order; ``paged`` holds only bases of the months and periods judged."""
    keep = set(warranted)
    return tuple(
        paged[base] for base in sorted(paged) if base not in keep and not paged[base].withdrawn
    )


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
    warranted = frozenset({f.key for f in flags} | {step_key(s, rules, tz) for s in steps})
    return Standing(tuple(flags), recent_steps, warranted)
