"""Escalation (A8): repeats of the same kind of offence climb the person's category ladder."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from attendance_engine.rules import LadderStep, Rules
from attendance_engine.violations import Violation


class EscalationStep(NamedTuple):  # one per violation of a month report
    """The consequence of one violation: its occurrence number and the ladder's rung."""

    staff_no: str
    kind: str
    at: datetime
    occurrence: int  # 1 for the first of this kind in the period
    code: str
    zh: str
    en: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "staff_no": self.staff_no,
            "kind": self.kind,
            "at": self.at.isoformat(),
            "occurrence": self.occurrence,
            "code": self.code,
            "zh": self.zh,
            "en": self.en,
        }


def ladder_step(category: str, occurrence: int, rules: Rules) -> LadderStep:
    """The rung for the ``occurrence``-th offence (1-based); the last rung repeats."""
    if category not in rules.ladders:
        raise ValueError(f"no escalation ladder for category {category!r}")
    if occurrence < 1:
        raise ValueError(f"occurrence must be 1 or more, not {occurrence}")
    ladder = rules.ladders[category]
    return ladder[min(occurrence, len(ladder)) - 1]


def period_of(at: datetime, rules: Rules) -> tuple[int, ...]:
    """The counting period an instant belongs to: (year,) or (year, month)."""
    if rules.escalation_period == "month":
        return (at.year, at.month)
    return (at.year,)


def escalate(
    events: Sequence[Violation],
    category: str,
    rules: Rules,
    prior: Mapping[str, int] | None = None,
) -> tuple[EscalationStep, ...]:
    """Steps for one person's violations, counting the same kind within each period.

    ``prior`` gives counts per kind of offences earlier in the period of the first event
    (e.g. January to last month when a month is summarised); later periods start at zero.
    Instants are taken in the zone they carry, which should be the hall's.
    """
    ordered = sorted(events, key=lambda v: (v.at, v.kind, v.slot or ""))
    counts: dict[tuple[tuple[int, ...], str], int] = {}
    if ordered and prior:
        first = period_of(ordered[0].at, rules)
        for kind, n in prior.items():
            counts[(first, kind)] = n
    steps = []
    rungs: dict[int, LadderStep] = {}  # by occurrence
    for v in ordered:
        key = (period_of(v.at, rules), v.kind)
        n = counts[key] = counts.get(key, 0) + 1
        rung = rungs.get(n)
        if rung is None:
            rung = rungs[n] = ladder_step(category, n, rules)
        steps.append(EscalationStep(v.staff_no, v.kind, v.at, n, rung.code, rung.zh, rung.en))
    return tuple(steps)
