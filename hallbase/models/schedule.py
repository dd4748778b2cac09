"""Named schedules and their slots (four punches, two punches, seasonal variants)."""

from __future__ import annotations

from datetime import time

from sqlmodel import Field, SQLModel


class Schedule(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=40)
    label: str = Field(default="", max_length=100)
    is_default: bool = False
    valid_from: str | None = Field(default=None, max_length=5)
    valid_to: str | None = Field(default=None, max_length=5)


class ScheduleSlot(SQLModel, table=True):
    __tablename__ = "schedule_slot"
    id: int | None = Field(default=None, primary_key=True)
    schedule_id: int = Field(foreign_key="schedule.id", index=True)
    position: int
    name: str = Field(max_length=20)
    kind: str = Field(max_length=3)
    half: str = Field(max_length=2)
    due: time
    window_start: time | None = None
    window_end: time | None = None
