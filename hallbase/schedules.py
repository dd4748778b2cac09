"""Schedules in storage: saving a configured schedule; the rules live in the engine."""

from __future__ import annotations

from sqlmodel import Session, col, delete, select

from hallbase.hallconfig import ScheduleEntry
from hallbase.models import Schedule, ScheduleSlot


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
