"""Day plans: a schedule's slots resolved to instants on one date, shared by every person.

A month of 1,000 people asks for the same few dozen (schedule, date) pairs tens of
thousands of times; each is resolved once (due instants, windows, the due time floored to
the minute) and reused. Plans are memoised by the identity of the schedule or window
(hashing a frozen dataclass costs more than the work); each entry keeps its key object
alive, so an id cannot be reused while its entry exists.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from attendance_engine.schedule import Schedule, SlotWindow, at_offset
from attendance_engine.types import PunchFact

MINUTE = timedelta(minutes=1)
MAX_ENTRIES = 20_000  # per memo; cleared and refilled on demand beyond that


def floor_minute(value: datetime, tz: ZoneInfo) -> datetime:
    """``value`` in ``tz`` with the seconds dropped."""
    return value.astimezone(tz).replace(second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class PlannedSlot:
    """One slot on one date: its names, due instant and punch window [start, end)."""

    name: str
    kind: str
    half: str
    due: datetime
    start: datetime
    end: datetime
    due_floor: datetime  # the due time with seconds dropped, in the hall's zone
    on_time_before: datetime  # due_floor + 1 minute: an in-slot punch before it is on time


@dataclass(frozen=True, slots=True)
class DayPlan:
    """The slots of one schedule on one date, in order; windows are disjoint and sorted."""

    slots: tuple[PlannedSlot, ...]
    starts: tuple[datetime, ...]  # each slot's window start, for bisecting a punch

    def place(self, punches: Sequence[PunchFact]) -> list[PunchFact | None]:
        """Each slot's punch: the earliest in an in-slot's window, the latest in an out-slot's.

        Equal instants are ordered by source, as comparing (at, source) pairs would; a
        punch outside every window is ignored.
        """
        slots, starts = self.slots, self.starts
        best: list[PunchFact | None] = [None] * len(slots)
        for p in punches:
            at = p.at
            i = bisect_right(starts, at) - 1
            if i < 0 or not at < slots[i].end:
                continue
            b = best[i]
            if b is None:
                best[i] = p
            elif slots[i].kind == "in":
                if at < b.at or (at == b.at and p.source < b.source):
                    best[i] = p
            elif at > b.at or (at == b.at and p.source > b.source):
                best[i] = p
        return best


_SLOTS: dict[tuple[int, date, ZoneInfo], tuple[SlotWindow, PlannedSlot]] = {}
_PLANS: dict[tuple[int, date, ZoneInfo], tuple[Schedule, DayPlan]] = {}


def planned_slot(window: SlotWindow, day: date, tz: ZoneInfo) -> PlannedSlot:
    """``window`` resolved on ``day`` (memoised)."""
    key = (id(window), day, tz)
    hit = _SLOTS.get(key)
    if hit is not None and hit[0] is window:
        return hit[1]
    due = at_offset(day, window.due, tz)
    due_floor = floor_minute(due, tz)
    spec = window.spec
    found = PlannedSlot(
        spec.name,
        spec.kind,
        spec.half,
        due,
        at_offset(day, window.start, tz),
        at_offset(day, window.end, tz),
        due_floor,
        due_floor + MINUTE,
    )
    if len(_SLOTS) > MAX_ENTRIES:
        _SLOTS.clear()
    _SLOTS[key] = (window, found)
    return found


def slot_plan(window: SlotWindow, day: date, tz: ZoneInfo) -> DayPlan:
    """A plan of the one slot ``window`` on ``day``."""
    slot = planned_slot(window, day, tz)
    return DayPlan((slot,), (slot.start,))


def day_plan(schedule: Schedule, day: date, tz: ZoneInfo) -> DayPlan:
    """Every slot of ``schedule`` resolved on ``day`` (memoised)."""
    key = (id(schedule), day, tz)
    hit = _PLANS.get(key)
    if hit is not None and hit[0] is schedule:
        return hit[1]
    slots = tuple(planned_slot(w, day, tz) for w in schedule.windows())
    plan = DayPlan(slots, tuple(s.start for s in slots))
    if len(_PLANS) > MAX_ENTRIES:
        _PLANS.clear()
    _PLANS[key] = (schedule, plan)
    return plan
