"""The serial line of an RS-485 bus, opened through pyserial (device path or URL)."""

from __future__ import annotations

import termios
import time
from typing import Protocol

from devices.common.serial_line import SerialLine
from devices.common.transport import LineTransport

POLL = 0.05  # seconds one blocking read may wait, so callers' timeouts stay accurate


class BusTransport(LineTransport, Protocol):
    """What the bus writer needs from a line.

    ``write`` must wait until the bytes have left, so that gaps are measured from the end.
    """


class SerialBus(SerialLine):
    """An RS-485 line at 9600 8N1 by default (window boards also run at 57600; ``parity`` is
    pyserial's "N", "E" or "O")."""

    def __init__(
        self, url: str, baudrate: int = 9600, write_timeout: float = 2.0, parity: str = "N"
    ) -> None:
        super().__init__(
            url, baudrate=baudrate, parity=parity, timeout=POLL, write_timeout=write_timeout
        )
        self.write_timeout = write_timeout

    def read(self, size: int, timeout: float) -> bytes:
        """Read what arrives within ``timeout``, returning as soon as something came."""
        port = self._conn()
        deadline = time.monotonic() + timeout
        while True:
            try:
                data: bytes = port.read(1)  # waits at most POLL seconds
                waiting = port.in_waiting if data else 0
            except termios.error as exc:
                raise ConnectionError(f"{self.name}: {exc}") from exc
            if data:
                if waiting and size > 1:
                    data += port.read(min(size - 1, waiting))
                return data
            if time.monotonic() >= deadline:
                return b""
