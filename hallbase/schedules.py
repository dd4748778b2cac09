"""Schedules in storage: the load-time slot checks and saving; the rules live in the engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlmodel import Session, col, delete, select

import attendance_engine as eng
from hallkeeper.models import Schedule, ScheduleSlot

if TYPE_CHECKING:
    from hallkeeper.hallconfig import ScheduleEntry


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


def save_schedule(session: Session, entry: ScheduleEntry) -> Schedule:
    """Create or replace the stored schedule named like ``entry`` with all its slots."""
    row = session.exec(select(Schedule).where(Schedule.name == entry.name)).first()
    row = row or Schedule(name=entry.name)
    if entry.default:
        for other in session.exec(select(Schedule).where(col(Schedule.is_default))).all():
            other.is_default = False
            session.add(other)
    row.label, row.is_default = entry.label, entry.default or row.is_default
    row.valid_from, row.valid_to = entry.valid_from, entry.valid_to
    session.add(row)
    session.flush()
    assert row.id is not None
    session.exec(delete(ScheduleSlot).where(col(ScheduleSlot.schedule_id) == row.id))
    for position, slot in enumerate(entry.slots):
        session.add(
            ScheduleSlot(
                schedule_id=row.id,
                position=position,
                name=slot.name,
                kind=slot.slot_kind,
                half=slot.slot_half,
                due=slot.due,
                window_start=slot.window_start,
                window_end=slot.window_end,
            )
        )
    session.flush()
    return row
