"""Privacy records: how far each kind of record was purged, and offboarding per terminal."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from hallbase.models.types import UTCDateTime


class RetentionMark(SQLModel, table=True):
    """The first day still held of one kind of record (``punches``, ``requests``, ...).

    Nothing before ``kept_from`` is stored again (a terminal re-sending its old log) or
    judged again (a verdict re-derived from facts that are gone): see `attendance.retention`.
    """

    __tablename__ = "retention_mark"
    kind: str = Field(primary_key=True, max_length=20)
    kept_from: date
    purged_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class OffboardStep(SQLModel, table=True):
    """One terminal's part of taking a person off the terminals: removed, pending or failed.

    An ADMS terminal runs the queued delete on its next poll (``command_id``); a ZK terminal
    is changed and read back at once.
    """

    __tablename__ = "offboard_step"
    id: int | None = Field(default=None, primary_key=True)
    staff_no: str = Field(max_length=20, index=True)
    pin: str = Field(max_length=20)
    device_sn: str = Field(max_length=64)
    protocol: str = Field(max_length=10)
    status: str = Field(max_length=10)  # removed | pending | failed
    detail: str = Field(default="", max_length=500)
    command_id: int | None = None
    started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    checked_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
