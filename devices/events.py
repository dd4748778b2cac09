"""Frozen events that every device adapter produces, independent of the wire protocol."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

# What every adapter's records must fit (the punch table's columns are these sizes): a
# terminal's serial number, a person's PIN on it, the work code of a punch.
SERIAL_MAX = 64
PIN_MAX = 24
WORKCODE_MAX = 20

# Zone types whose utcoffset() is never None: a time carrying one is aware without asking.
_ALWAYS_AWARE = (ZoneInfo, timezone)


class Verify(enum.IntEnum):
    """How a terminal verified the person (ZK numbering; ADMS uses the same codes)."""

    PASSWORD = 0
    FINGERPRINT = 1
    CARD = 2
    FACE = 15


@dataclass(frozen=True, slots=True)
class Punch:
    """One attendance record as a terminal reported it; ``time`` is timezone-aware."""

    device_sn: str
    pin: str
    time: datetime
    verify: int | None = None
    status: int | None = None
    workcode: str | None = None
    raw: bytes = field(default=b"", repr=False, compare=False)

    def __post_init__(self) -> None:
        zone = self.time.tzinfo
        if zone is None or (type(zone) not in _ALWAYS_AWARE and self.time.utcoffset() is None):
            raise ValueError(f"punch time must be timezone-aware: {self.time!r}")
        if not self.pin:
            raise ValueError("punch PIN must not be empty")


@dataclass(frozen=True, slots=True)
class BadRecord:
    """A record a device sent that could not be decoded; kept with its raw bytes."""

    device_sn: str
    raw: bytes
    reason: str
