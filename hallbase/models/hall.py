"""The hall itself, its home units (派驻单位) and the admins' holiday overrides."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from hallbase.models.types import UTCDateTime


class Hall(SQLModel, table=True):
    """The one hall this service runs (a row so that the API can edit its name)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str
    name_en: str = ""
    timezone: str = "Asia/Shanghai"
    go_live: date | None = None
    language: str = "zh"


class UnitBase(SQLModel):
    code: str = Field(index=True, unique=True, max_length=20)
    name: str = Field(max_length=100)


class Unit(UnitBase, table=True):
    """A home unit that sends staff to the hall."""

    id: int | None = Field(default=None, primary_key=True)


class HolidayOverrideBase(SQLModel):
    workday: bool
    note: str = Field(default="", max_length=200)


class HolidayOverride(HolidayOverrideBase, table=True):
    """An admin's decision that a date is (or is not) a working day; wins over the calendar."""

    __tablename__ = "holiday_override"
    day: date = Field(primary_key=True)


class HolidayYear(SQLModel, table=True):
    """A year whose statutory holidays and moved working days an admin imported (see
    hallkeeper/holiday_file.py): the national calendar data need not cover it any more."""

    __tablename__ = "holiday_year"
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    title: str = Field(default="", max_length=200)
    days_off: int = 0
    workdays: int = 0
    imported_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
