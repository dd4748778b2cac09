"""Verdicts the engine returns; `to_dict` gives the JSON shape the service serves as is."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from attendance_engine.types import NORMAL, Status

# Worst first. A half day made absent counts as `absent` for the day. `pending` ranks
# below every decided violation: a day with a late arrival and an undecided evening
# punch already shows `late`, and shows `pending` only when nothing worse is known.
DAY_STATUS_ORDER = (
    Status.ABSENT,
    Status.MISSING,
    Status.LATE,
    Status.EARLY,
    Status.OFF_POST,
    Status.PENDING,
    Status.OUT,
    Status.LEAVE,
    Status.NORMAL,
)


_UNRANKED = len(DAY_STATUS_ORDER)


class _Ranks(dict[Status, int]):
    """Rank by DAY_STATUS_ORDER; a status outside it ranks after all (a lookup, not a call)."""

    def __missing__(self, key: Status) -> int:
        return _UNRANKED


_RANK = _Ranks({s: i for i, s in enumerate(DAY_STATUS_ORDER)})


def worst(statuses: Iterable[Status]) -> Status:
    """The worst status in ``statuses`` by DAY_STATUS_ORDER (normal when empty)."""
    found = list(statuses)
    if found.count(NORMAL) == len(found):
        return NORMAL  # most days' slots are all normal: counted in C, nothing ranked
    best = min(map(_RANK.__getitem__, found), default=_UNRANKED)
    return DAY_STATUS_ORDER[best] if best < _UNRANKED else NORMAL


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _instant(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


# Named tuples: immutable and hashed by value like frozen dataclasses, made at the cost of
# a tuple (a month makes ~120,000 results that all live until it is summarised).
class SlotResult(NamedTuple):
    """One slot's verdict; `provisional` is what a pending slot becomes if nothing else comes."""

    slot: str
    kind: str
    half: str
    due: datetime
    punch: datetime | None
    status: Status
    minutes: int | None
    source: str | None
    provisional: Status | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "slot": self.slot,
            "kind": self.kind,
            "half": self.half,
            "due": self.due.isoformat(),
            "punch": _iso(self.punch),
            "status": str(self.status),
            "minutes": self.minutes,
            "source": self.source,
            "provisional": str(self.provisional) if self.provisional else None,
        }


@dataclass(frozen=True)
class OffPostEvent:
    """Unregistered time away from the window within one half day's working hours."""

    window: str
    staff_no: str
    half: str
    start: datetime  # the away period's start, as recorded
    end: datetime | None  # as recorded; None while still away
    minutes: int  # uncovered minutes within the half's working hours (seconds dropped)
    # off_post, absent (over the threshold), pending (still away) or away (within the grace)
    status: Status

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "window": self.window,
            "staff_no": self.staff_no,
            "half": self.half,
            "start": self.start.isoformat(),
            "end": _iso(self.end),
            "minutes": self.minutes,
            "status": str(self.status),
        }


class DayResult(NamedTuple):
    """One staff member's day: slots, off-post events, absent halves and the day's status."""

    staff_no: str
    date: date
    workday: bool
    slots: tuple[SlotResult, ...]
    absent_halves: tuple[str, ...]
    status: Status
    off_post: tuple[OffPostEvent, ...] = ()
    away_minutes: int = 0  # minutes away from the window in working hours, unregistered

    @property
    def absent_days(self) -> float:
        """0, 0.5 or 1: half a day per absent half."""
        return 0.5 * len(self.absent_halves)

    @property
    def expected(self) -> bool:
        """True when the person was due at work that day."""
        return bool(self.slots)

    def slot(self, name: str) -> SlotResult | None:
        """The result of the slot called ``name``, if the day has one."""
        return next((s for s in self.slots if s.slot == name), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "staff_no": self.staff_no,
            "date": self.date.isoformat(),
            "workday": self.workday,
            "slots": [s.to_dict() for s in self.slots],
            "absent_days": self.absent_days,
            "absent_halves": list(self.absent_halves),
            "off_post": [e.to_dict() for e in self.off_post],
            "away_minutes": self.away_minutes,
            "status": str(self.status),
        }


def slot_from_dict(data: Mapping[str, Any]) -> SlotResult:
    """A slot verdict from its `to_dict` form."""
    due = _instant(data["due"])
    if due is None:
        raise ValueError(f"slot {data.get('slot')!r}: no due time")
    provisional = data.get("provisional")
    return SlotResult(
        data["slot"], data["kind"], data["half"], due, _instant(data.get("punch")),
        Status(data["status"]), data.get("minutes"), data.get("source"),
        Status(provisional) if provisional else None,
    )  # fmt: skip


def off_post_from_dict(data: Mapping[str, Any]) -> OffPostEvent:
    """An off-post event from its `to_dict` form."""
    start = _instant(data["start"])
    if start is None:
        raise ValueError("off-post event: no start")
    return OffPostEvent(
        str(data["window"]), data["staff_no"], data["half"], start, _instant(data.get("end")),
        int(data["minutes"]), Status(data["status"]),
    )  # fmt: skip


def day_from_dict(data: Mapping[str, Any]) -> DayResult:
    """A day verdict from its `to_dict` form (as stored): the inverse of `DayResult.to_dict`."""
    return DayResult(
        staff_no=data["staff_no"],
        date=date.fromisoformat(data["date"]),
        workday=bool(data["workday"]),
        slots=tuple(slot_from_dict(s) for s in data["slots"]),
        absent_halves=tuple(data.get("absent_halves", ())),
        status=Status(data["status"]),
        off_post=tuple(off_post_from_dict(e) for e in data.get("off_post", ())),
        away_minutes=int(data.get("away_minutes", 0)),
    )
