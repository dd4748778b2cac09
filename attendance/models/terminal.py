"""Terminal-side state: queued commands for ADMS terminals and their upload stamps."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from hallbase.models.types import UTCDateTime


class DeviceCommand(SQLModel, table=True):
    """A data command for a terminal: queued, sent on its next poll, then answered."""

    __tablename__ = "device_command"
    id: int | None = Field(default=None, primary_key=True)
    device_sn: str = Field(max_length=64, index=True)
    text: str = Field(max_length=1000)
    status: str = Field(default="queued", max_length=10)  # queued, sent, done, failed
    return_code: int | None = None
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class AdmsStamp(SQLModel, table=True):
    """The last upload stamps an ADMS terminal sent, so that after a restart it resumes there."""

    __tablename__ = "adms_stamp"
    device_sn: str = Field(primary_key=True, max_length=64)
    attlog_stamp: int | None = None
    operlog_stamp: int | None = None
