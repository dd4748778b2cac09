"""Input facts and staff records the engine evaluates; all instants are timezone-aware."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import partial
from typing import NamedTuple

CATEGORIES = ("在编", "聘用")


class Status(StrEnum):
    """Every verdict the engine can give a slot, a half day, a day or a window."""

    NORMAL = "normal"
    LATE = "late"
    EARLY = "early"
    ABSENT = "absent"
    MISSING = "missing"
    LEAVE = "leave"
    OUT = "out"
    PENDING = "pending"
    OFF_POST = "off_post"
    WINDOW_UNCOVERED = "window_uncovered"
    OFF = "off"  # nothing expected that day: rest day, not yet employed, before go-live
    AWAY = "away"  # 暂离: time away from the window within the hall's grace, no violation

    # The hash it already has (a member hashes as its value), named here so that the type
    # calls str's directly instead of looking it up through the class on every dict or
    # set lookup.
    __hash__ = str.__hash__


# The members as module constants for per-slot loops: reading a member from its class
# goes through the enum's metaclass, ten times the cost of a global.
NORMAL, LATE, EARLY, ABSENT = Status.NORMAL, Status.LATE, Status.EARLY, Status.ABSENT
MISSING, LEAVE, PENDING, OFF_POST = Status.MISSING, Status.LEAVE, Status.PENDING, Status.OFF_POST
OFF, AWAY = Status.OFF, Status.AWAY


def _require_aware(owner: str, field: str, value: datetime | None) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(f"{owner}.{field} must be timezone-aware, got naive {value.isoformat()}")


def _require_order(owner: str, start: datetime, end: datetime | None) -> None:
    if end is not None and end < start:
        raise ValueError(f"{owner} ends before it starts: {start.isoformat()} .. {end.isoformat()}")


class _PunchFields(NamedTuple):
    staff_no: str
    at: datetime
    source: str = "device"


class PunchFact(_PunchFields):
    """One punch of one staff member (from a terminal, or entered by hand).

    A named tuple (a month loads ~100,000: see results.py) whose instant is checked.
    """

    __slots__ = ()

    def __new__(cls, staff_no: str, at: datetime, source: str = "device") -> PunchFact:
        _require_aware("PunchFact", "at", at)
        return super().__new__(cls, staff_no, at, source)


# For loaders whose instants are aware by construction: (staff_no, at, source), made by the
# named tuple's own constructor without the check.
trusted_punch: Callable[[str, datetime, str], PunchFact] = partial(_PunchFields.__new__, PunchFact)


@dataclass(frozen=True)
class Leave:
    """A leave request (请假); only an approved one covers anything."""

    staff_no: str
    start: datetime
    end: datetime
    kind: str
    approved: bool
    filed_after: bool = False  # 事后补办: filed after the leave began

    def __post_init__(self) -> None:
        _require_aware("Leave", "start", self.start)
        _require_aware("Leave", "end", self.end)
        _require_order(f"Leave of {self.staff_no}", self.start, self.end)


@dataclass(frozen=True)
class OutRegistration:
    """A registered business absence from the window (外出备案)."""

    staff_no: str
    start: datetime
    end: datetime
    approved: bool

    def __post_init__(self) -> None:
        _require_aware("OutRegistration", "start", self.start)
        _require_aware("OutRegistration", "end", self.end)
        _require_order(f"OutRegistration of {self.staff_no}", self.start, self.end)


@dataclass(frozen=True)
class MakeUp:
    """A make-up record (补卡) standing for the punch of one slot on one date."""

    staff_no: str
    slot_date: date
    slot: str
    at: datetime
    approved: bool

    def __post_init__(self) -> None:
        _require_aware("MakeUp", "at", self.at)


@dataclass(frozen=True)
class AwayPeriod:
    """A stretch during which a window showed `away`; end None means still away at `now`."""

    window: str
    staff_no: str | None
    start: datetime
    end: datetime | None

    def __post_init__(self) -> None:
        _require_aware("AwayPeriod", "start", self.start)
        _require_aware("AwayPeriod", "end", self.end)
        _require_order(f"AwayPeriod of window {self.window}", self.start, self.end)


@dataclass(frozen=True)
class StaffInfo:
    """Who is evaluated: category decides the escalation ladder, dates bound the duty."""

    staff_no: str
    category: str
    start_date: date | None = None
    end_date: date | None = None
    schedules: tuple[str, ...] = ()  # names this person may work; empty means any

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(
                f"staff {self.staff_no}: category {self.category!r} is not one of {CATEGORIES}"
            )

    def on_duty(self, day: date) -> bool:
        """True when ``day`` lies within this person's employment dates."""
        if self.start_date is not None and day < self.start_date:
            return False
        return self.end_date is None or day <= self.end_date


class Facts(NamedTuple):
    """Everything known about attendance; evaluation picks out what concerns one staff-day."""

    punches: tuple[PunchFact, ...] = ()
    leaves: tuple[Leave, ...] = ()
    outs: tuple[OutRegistration, ...] = ()
    makeups: tuple[MakeUp, ...] = ()
    away: tuple[AwayPeriod, ...] = ()

    def for_staff(self, staff_no: str) -> Facts:
        """The facts that concern ``staff_no`` only."""
        if not (self.leaves or self.outs or self.makeups or self.away):
            for p in self.punches:
                if p.staff_no != staff_no:
                    break
            else:
                return self  # already one person's punches (the common case): nothing to filter
        return Facts(
            punches=tuple(p for p in self.punches if p.staff_no == staff_no),
            leaves=tuple(x for x in self.leaves if x.staff_no == staff_no),
            outs=tuple(x for x in self.outs if x.staff_no == staff_no),
            makeups=tuple(x for x in self.makeups if x.staff_no == staff_no),
            away=tuple(x for x in self.away if x.staff_no == staff_no),
        )

    def adding(self, fact: Fact) -> Facts:
        """A copy with one more fact."""
        if isinstance(fact, PunchFact):
            return Facts((*self.punches, fact), self.leaves, self.outs, self.makeups, self.away)
        if isinstance(fact, Leave):
            return Facts(self.punches, (*self.leaves, fact), self.outs, self.makeups, self.away)
        if isinstance(fact, OutRegistration):
            return Facts(self.punches, self.leaves, (*self.outs, fact), self.makeups, self.away)
        if isinstance(fact, MakeUp):
            return Facts(self.punches, self.leaves, self.outs, (*self.makeups, fact), self.away)
        return Facts(self.punches, self.leaves, self.outs, self.makeups, (*self.away, fact))


Fact = PunchFact | Leave | OutRegistration | MakeUp | AwayPeriod
