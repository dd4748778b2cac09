"""Punches from terminals, records held back as implausible, and the terminals themselves."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from devices.events import PIN_MAX, SERIAL_MAX, WORKCODE_MAX
from hallbase.models.types import UTCDateTime


class Punch(SQLModel, table=True):
    """One punch; its natural key is (device serial, PIN, device time): a repeat is counted."""

    # A person's punches of a date range are one range of (staff_no, device_time): a month
    # report's chunk of people, or an ADMS batch's people, reads only their own rows.
    __table_args__ = (
        UniqueConstraint("device_sn", "pin", "device_time", name="uq_punch_natural"),
        Index("ix_punch_staff_time", "staff_no", "device_time"),
    )
    id: int | None = Field(default=None, primary_key=True)
    device_sn: str = Field(max_length=SERIAL_MAX)
    pin: str = Field(max_length=PIN_MAX, index=True)
    device_time: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    staff_no: str | None = Field(default=None, max_length=20)
    verify: int | None = None
    status: int | None = None
    workcode: str | None = Field(default=None, max_length=WORKCODE_MAX)
    source: str = Field(max_length=10)
    received_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    repeats: int = 0


class QuarantinedRecord(SQLModel, table=True):
    """A record kept with its raw bytes but not counted: bad time, undecodable, from far off.

    Its natural key is (device serial, digest of the record): a record sent or downloaded
    again is stored once and only counted (`repeats`, `last_received_at`).
    """

    __tablename__ = "quarantined_record"
    __table_args__ = (UniqueConstraint("device_sn", "digest", name="uq_quarantine_natural"),)
    id: int | None = Field(default=None, primary_key=True)
    device_sn: str = Field(max_length=SERIAL_MAX, index=True)
    digest: str = Field(max_length=64)
    pin: str | None = Field(default=None, max_length=PIN_MAX)
    device_time: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    reason: str = Field(max_length=200)
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    received_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    repeats: int = 0
    last_received_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class Device(SQLModel, table=True):
    """A terminal the hall knows; ADMS terminals stay refused until an admin approves them."""

    id: int | None = Field(default=None, primary_key=True)
    serial: str = Field(max_length=SERIAL_MAX, unique=True, index=True)
    name: str = Field(default="", max_length=100)
    protocol: str = Field(max_length=10)
    address: str = Field(default="", max_length=200)
    timezone: str = Field(default="Asia/Shanghai", max_length=40)
    installed_on: date | None = None
    approved: bool = False
    first_seen: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    last_seen: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    last_sync: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    last_error: str | None = Field(default=None, max_length=500)
    # An ADMS terminal's binding besides its serial (attendance.terminals.binding): the
    # address or network it must call from ("": any), the digest of its push URL's key.
    bind_address: str = Field(default="", max_length=64)
    push_key_hash: str | None = Field(default=None, max_length=64)


class PunchAssignment(SQLModel, table=True):
    """Unmapped punches of a PIN credited to a staff member: who did it, when, what.

    Kept so that the hash-chained audit log can take these records over.
    """

    __tablename__ = "punch_assignment"
    id: int | None = Field(default=None, primary_key=True)
    pin: str = Field(max_length=20, index=True)
    staff_no: str = Field(max_length=20, index=True)
    count: int = 0
    date_from: date | None = None  # the range asked for (None: open)
    date_to: date | None = None
    first_punch: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    last_punch: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    via: str = Field(max_length=20)  # api_assign, staff_api, hall_file, staff_import
    credential: str = Field(max_length=40)  # session or bearer (the caller's login), cli
    actor: str = Field(default="", max_length=100)  # a name given by the caller, or the OS user
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
