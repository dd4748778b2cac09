"""Configuration, health and error types of the ZK client."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from devices.errors import DeviceUnavailable


class AuthenticationFailed(DeviceUnavailable):
    """The terminal refused the comm key."""


class CommandRejected(DeviceUnavailable):
    """The terminal answered a command with an error code."""


class LeftDisabled(DeviceUnavailable):
    """The terminal may still be disabled (nobody can punch): re-enabling it failed."""


class TransferCancelled(Exception):
    """A transfer was abandoned because the service is stopping (the terminal is fine)."""


class SerialMismatch(DeviceUnavailable):
    """The terminal at the address reports another serial number than the one configured."""

    def __init__(self, address: str, configured: str, reported: str) -> None:
        super().__init__(
            f"terminal at {address} reports serial {reported!r}, configured {configured!r}: "
            "refused (was the address given to another terminal?)"
        )
        self.configured = configured
        self.reported = reported


@dataclass(frozen=True, slots=True)
class ZKSettings:
    """How to reach one terminal."""

    host: str
    port: int = 4370
    transport: Literal["tcp", "udp"] = "tcp"
    comm_key: int = 0
    zone: str = "Asia/Shanghai"
    device_sn: str | None = None  # None: ask the terminal (~SerialNumber)
    encoding: str = "gbk"  # user names; Chinese terminals use GBK
    timeout: float = 5.0  # one answer
    transfer_timeout: float = 60.0  # one whole operation, e.g. a full log download
    verify_checksum: bool = True
    user_record_size: int | None = None  # None: detect (72 on TCP firmware, 28 on old UDP)
    min_plausible_year: int = 2010  # an earlier device clock means it was reset


@dataclass(slots=True)
class DeviceHealth:
    """What the poller and the UI show about a terminal."""

    available: bool = False
    last_sync: datetime | None = None
    last_error: str | None = None
    left_disabled: bool = False


@dataclass(frozen=True, slots=True)
class ClockReading:
    """Device clock against the host clock; ``drift`` is device minus host."""

    device_time: datetime
    host_time: datetime
    drift: timedelta
    looks_reset: bool
