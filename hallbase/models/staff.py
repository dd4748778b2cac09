"""Staff members (工作人员): 工号, terminal PIN, home unit, category and role."""

from __future__ import annotations

from datetime import date

from sqlmodel import Field, SQLModel


class StaffBase(SQLModel):
    staff_no: str = Field(index=True, unique=True, max_length=20)
    name: str = Field(max_length=40)
    pin: str = Field(index=True, unique=True, max_length=9)
    unit_code: str = Field(foreign_key="unit.code", max_length=20)
    category: str = Field(max_length=4)
    role: str = Field(default="staff", max_length=20)
    start_date: date | None = None
    end_date: date | None = None
    schedule: str | None = Field(default=None, max_length=40)


class Staff(StaffBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
