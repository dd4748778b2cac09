"""Schedule slot checks at load time: a configured schedule as the engine's, or why not."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attendance_engine as eng

if TYPE_CHECKING:
    from hallbase.hallconfig import ScheduleEntry


def engine_schedule(entry: ScheduleEntry) -> eng.Schedule:
    """A configured schedule as the engine's (validated there: raises ScheduleError)."""
    slots = tuple(
        eng.SlotSpec(s.name, s.slot_kind, s.due, s.slot_half, s.window_start, s.window_end)
        for s in entry.slots
    )
    valid_from, valid_to = month_day(entry.valid_from), month_day(entry.valid_to)
    return eng.Schedule(entry.name, slots, valid_from, valid_to, entry.default)


def schedule_problem(entry: ScheduleEntry) -> str | None:
    """Return why a schedule's slots are unusable (order, overlap, names), or None.

    The engine's `Schedule` holds the one validation: build it and report its refusal
    (without its leading schedule name, which the callers add).
    """
    try:
        engine_schedule(entry)
    except eng.ScheduleError as exc:
        return str(exc).removeprefix(f"schedule {entry.name!r}: ")
    return None


def month_day(value: str | None) -> tuple[int, int] | None:
    """A configuration "MM-DD" as the engine's (month, day)."""
    if value is None:
        return None
    month, day = value.split("-")
    return int(month), int(day)
