"""Schedules in storage: the load-time slot checks and saving; the rules live in the engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlmodel import Session, col, delete, select

from hallkeeper.models import Schedule, ScheduleSlot

if TYPE_CHECKING:
    from hallkeeper.hallconfig import ScheduleEntry


def schedule_problem(entry: ScheduleEntry) -> str | None:
    """Return why a schedule's slots are unusable (order, overlap, names), or None."""
    names = [slot.name for slot in entry.slots]
    if len(set(names)) != len(names):
        return "slot names repeat"
    for before, after in zip(entry.slots, entry.slots[1:], strict=False):
        if after.due <= before.due:
            return f"slot {after.name!r} is due at or before slot {before.name!r}: out of order"
    for slot in entry.slots:
        start, end = slot.window_start, slot.window_end
        if start is not None and start > slot.due:
            return f"slot {slot.name!r} window starts after its due time"
        if end is not None and end < slot.due:
            return f"slot {slot.name!r} window ends before its due time"
        if start is not None and end is not None and end <= start:
            return f"slot {slot.name!r} window ends before it starts"
    for before, after in zip(entry.slots, entry.slots[1:], strict=False):
        start, end = after.window_start, before.window_end
        if end is not None and start is not None and start < end:
            return f"slots {before.name!r} and {after.name!r} overlap"
        if before.window_end is not None and before.window_end > after.due:
            return f"slot {before.name!r} window reaches past the due time of {after.name!r}"
        if after.window_start is not None and after.window_start < before.due:
            return f"slot {after.name!r} window starts before the due time of {before.name!r}"
    return None


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
