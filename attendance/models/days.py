"""Attendance facts entered by people (leave, out, make-up, away) and the stored verdicts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Column
from sqlmodel import Field, SQLModel

from hallbase.models.types import UTCDateTime

# Approval states shared by leave, out-of-office registrations and make-up punches.
REQUEST_STATES = ("pending", "approved", "rejected", "cancelled")


class LeaveRequest(SQLModel, table=True):
    """A leave request (请假): length decides the approver; 事后补办 and 销假 are recorded."""

    __tablename__ = "leave_request"
    id: int | None = Field(default=None, primary_key=True)
    staff_no: str = Field(foreign_key="staff.staff_no", max_length=20, index=True)
    kind: str = Field(max_length=20)  # personal, sick, annual, home_visit, marriage, ...
    start: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    end: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    days: float = 0  # working days, as the engine measures them
    reason: str = Field(default="", max_length=500)
    substitute: str | None = Field(default=None, max_length=20)  # a named stand-in
    status: str = Field(default="pending", max_length=10, index=True)
    approver_role: str = Field(max_length=20)
    approved_by: str | None = Field(default=None, max_length=20)
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    filed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    filed_after: bool = False  # 事后补办: filed after the leave began
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))  # 销假


class OutRegistration(SQLModel, table=True):
    """A registered business absence from the window (外出备案); covers only once approved."""

    __tablename__ = "out_registration"
    id: int | None = Field(default=None, primary_key=True)
    staff_no: str = Field(foreign_key="staff.staff_no", max_length=20, index=True)
    start: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    end: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    reason: str = Field(default="", max_length=500)
    status: str = Field(default="pending", max_length=10, index=True)
    approved_by: str | None = Field(default=None, max_length=20)
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    filed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class MakeUpPunch(SQLModel, table=True):
    """A make-up record (补卡) for one slot on one date, approved and audited."""

    __tablename__ = "makeup_punch"
    id: int | None = Field(default=None, primary_key=True)
    staff_no: str = Field(foreign_key="staff.staff_no", max_length=20, index=True)
    day: date = Field(index=True)
    slot: str = Field(max_length=20)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    reason: str = Field(default="", max_length=500)
    filed_by: str | None = Field(default=None, max_length=20)
    status: str = Field(default="pending", max_length=10, index=True)
    approved_by: str | None = Field(default=None, max_length=20)
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    filed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class WindowAway(SQLModel, table=True):
    """A stretch during which a window showed `away` (from the API; the queue keeps its own)."""

    __tablename__ = "window_away"
    id: int | None = Field(default=None, primary_key=True)
    window_number: int = Field(index=True)
    staff_no: str | None = Field(default=None, max_length=20, index=True)
    start: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    end: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    recorded_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class DayVerdict(SQLModel, table=True):
    """The stored verdict of one staff-day, re-derived whenever a fact for it changes."""

    __tablename__ = "day_verdict"
    staff_no: str = Field(primary_key=True, max_length=20)
    day: date = Field(primary_key=True, index=True)
    status: str = Field(max_length=20)
    absent_days: float = 0
    provisional: bool = False
    result: dict[str, object] = Field(sa_column=Column(JSON, nullable=False))
    alerted: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    held: int = Field(default=0, index=True)  # alerts waiting for an offline terminal to sync
    computed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class WindowCoverVerdict(SQLModel, table=True):
    """A/B cover of one window at one in-slot of a date: `covered` or `window_uncovered`."""

    __tablename__ = "window_cover_verdict"
    window_number: int = Field(primary_key=True)
    day: date = Field(primary_key=True, index=True)
    slot: str = Field(primary_key=True, max_length=20)
    status: str = Field(max_length=20)
    result: dict[str, object] = Field(sa_column=Column(JSON, nullable=False))
    computed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class DutySignature(SQLModel, table=True):
    """The duty chief's signature (值班长签字) on one date's duty record."""

    __tablename__ = "duty_signature"
    day: date = Field(primary_key=True)
    signed_by: str = Field(max_length=20)
    signed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    note: str = Field(default="", max_length=1000)


class ContextVersion(SQLModel, table=True):
    """One row whose `version` triggers set to a new random value on every change of the
    tables an attendance context is built from (see migration 0005 and context.py)."""

    __tablename__ = "context_version"
    id: int = Field(primary_key=True)
    version: int = Field(sa_column=Column(BigInteger(), nullable=False))
