"""The hall's configurable thresholds (hall-rules.md §1); defaults are the published values."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class LadderStep:
    """One rung of an escalation ladder: a stable code plus the words staff read."""

    code: str
    zh: str
    en: str


ESTABLISHED_LADDER = (
    LadderStep("self_criticism", "书面检讨", "Written self-criticism"),
    LadderStep(
        "allowance_withheld_notice",
        "扣发当月岗位补贴并通报批评",
        "This month's post allowance withheld and a notice of criticism",
    ),
    LadderStep(
        "target_bonus_half_withheld",
        "扣发全年目标考核奖50%",
        "50% of the annual target bonus withheld",
    ),
)
CONTRACT_LADDER = (
    LadderStep("self_criticism", "书面检讨", "Written self-criticism"),
    LadderStep("fine_50_notice", "罚款50元并通报批评", "Fined 50 yuan and a notice of criticism"),
    LadderStep("suspended", "待岗", "Suspended from the post"),
)


def _default_ladders() -> Mapping[str, tuple[LadderStep, ...]]:
    return {"在编": ESTABLISHED_LADDER, "聘用": CONTRACT_LADDER}


@dataclass(frozen=True)
class ApprovalStep:
    """The longest leave (in working days) a role may approve."""

    role: str
    max_days: float = math.inf


DEFAULT_APPROVAL_CHAIN = (
    ApprovalStep("window_lead", 0.5),
    ApprovalStep("leader_in_charge", 2.0),
    ApprovalStep("director"),
)


@dataclass(frozen=True)
class Rules:
    """Every threshold of the attendance rules; one instance per hall."""

    late_threshold_minutes: int = 15
    off_post_absent_minutes: int = 30
    # Away time (暂离) forgiven before it is off post: 0 is the published rule (none). Per
    # "period": each away period of at most this many minutes; per "day": the day's first
    # minutes away, in time order, until they add up to more than this.
    off_post_grace_minutes: int = 0
    off_post_grace_per: str = "period"
    missing_makes_absent: bool = True
    return_to_unit_events: int = 4
    return_to_unit_absent_days: float = 2
    deduction_per_violation: int = 2
    deduction_per_lost_record: int = 5
    # Not in the published list: an absent half day deducts like one event (documented choice).
    deduction_per_absent_half_day: int = 2
    excellent_min: int = 95
    qualified_min: int = 90
    ladders: Mapping[str, tuple[LadderStep, ...]] = field(default_factory=_default_ladders)
    escalation_period: str = "year"
    approval_chain: tuple[ApprovalStep, ...] = DEFAULT_APPROVAL_CHAIN
    # A/B post rule A6: leave this long needs a substitute on site before leaving.
    substitute_days_with_b_post: float = 1.0
    substitute_days_single_person: float = 0.5

    def __post_init__(self) -> None:
        if self.escalation_period not in ("year", "month"):
            raise ValueError(
                f"Rules.escalation_period must be 'year' or 'month', not {self.escalation_period!r}"
            )
        if self.late_threshold_minutes < 0 or self.off_post_absent_minutes < 0:
            raise ValueError("Rules: thresholds in minutes must not be negative")
        if not 0 <= self.off_post_grace_minutes <= self.off_post_absent_minutes:
            raise ValueError("Rules: off_post_grace_minutes must be 0..off_post_absent_minutes")
        if self.off_post_grace_per not in ("period", "day"):
            per = self.off_post_grace_per
            raise ValueError(f"Rules.off_post_grace_per must be 'period' or 'day', not {per!r}")
        if not self.qualified_min <= self.excellent_min:
            raise ValueError("Rules: qualified_min must not exceed excellent_min")
        for category, ladder in self.ladders.items():
            if not ladder:
                raise ValueError(f"Rules.ladders[{category!r}] is empty")
        if not self.approval_chain:
            raise ValueError("Rules.approval_chain is empty")
        bounds = [step.max_days for step in self.approval_chain]
        if bounds != sorted(bounds):
            raise ValueError("Rules.approval_chain must be ordered by max_days, shortest first")
