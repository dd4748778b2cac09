"""What covers a moment or an interval: approved leave (请假) and out registrations (外出备案)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from attendance_engine.types import Leave, MakeUp, OutRegistration

Interval = tuple[datetime, datetime]


def covering_leave(leaves: Iterable[Leave], instant: datetime) -> Leave | None:
    """An approved leave whose closed interval contains ``instant``, if any."""
    return next((x for x in leaves if x.approved and x.start <= instant <= x.end), None)


def covering_out(outs: Iterable[OutRegistration], instant: datetime) -> OutRegistration | None:
    """An approved out registration whose closed interval contains ``instant``, if any."""
    return next((x for x in outs if x.approved and x.start <= instant <= x.end), None)


def approved_makeups(makeups: Iterable[MakeUp], day: date, slot: str) -> list[MakeUp]:
    """The approved make-ups standing for ``slot`` on ``day``."""
    return [m for m in makeups if m.approved and m.slot_date == day and m.slot == slot]


def excused_intervals(leaves: Iterable[Leave], outs: Iterable[OutRegistration]) -> list[Interval]:
    """Intervals during which being away from the window is allowed."""
    spans = [(x.start, x.end) for x in leaves if x.approved]
    spans += [(x.start, x.end) for x in outs if x.approved]
    return spans


def subtract(piece: Interval, holes: Sequence[Interval]) -> list[Interval]:
    """``piece`` minus every interval in ``holes``, as sorted disjoint intervals."""
    parts = [piece] if piece[0] < piece[1] else []
    for h_start, h_end in holes:
        nxt: list[Interval] = []
        for start, end in parts:
            if h_end <= start or h_start >= end:
                nxt.append((start, end))
                continue
            if start < h_start:
                nxt.append((start, h_start))
            if h_end < end:
                nxt.append((h_end, end))
        parts = nxt
    return sorted(parts)
