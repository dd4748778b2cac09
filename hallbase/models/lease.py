"""Leases on device sets: which service instance drives a set of devices, and until when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from hallbase.models.types import UTCDateTime


class DeviceLease(SQLModel, table=True):
    """The instance that owns the device set ``name`` until ``expires_at`` unless it renews.

    Taken and renewed by `hallbase.lease.hold` in one conditional UPDATE, so that of two
    instances asking at once exactly one gets it.
    """

    __tablename__ = "device_lease"
    name: str = Field(primary_key=True, max_length=64)
    owner: str = Field(max_length=160)
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    taken_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
