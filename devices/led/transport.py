"""The serial line of an RS-485 bus, opened through pyserial (device path or URL)."""

from __future__ import annotations

import termios
import time
from typing import Protocol

import serial

POLL = 0.05  # seconds one blocking read may wait, so callers' timeouts stay accurate


class BusTransport(Protocol):
    """What the bus writer and the Modbus client need from a line."""

    name: str

    def open(self) -> None:
        """Open the line; raises OSError (pyserial's SerialException is one)."""

    def close(self) -> None:
        """Close the line; never raises."""

    def write(self, data: bytes) -> None:
        """Send all bytes and wait until they have left (so gaps are measured from the end)."""

    def read(self, size: int, timeout: float) -> bytes:
        """Up to ``size`` bytes, ``b""`` after ``timeout``."""


class SerialBus:
    """An RS-485 line at 9600 8N1 by default."""

    def __init__(self, url: str, baudrate: int = 9600, write_timeout: float = 2.0) -> None:
        self.url = url
        self.name = url
        self.baudrate = baudrate
        self.write_timeout = write_timeout
        self._port: serial.Serial | None = None

    def open(self) -> None:
        """Open the port (8 data bits, no parity, 1 stop bit)."""
        self.close()
        self._port = serial.serial_for_url(
            self.url,
            baudrate=self.baudrate,
            bytesize=serial.EIGHTBITS,
            parity=serial.PARITY_NONE,
            stopbits=serial.STOPBITS_ONE,
            timeout=POLL,
            write_timeout=self.write_timeout,
        )

    def close(self) -> None:
        """Close the port if open."""
        if self._port is not None:
            try:
                self._port.close()
            finally:
                self._port = None

    def _conn(self) -> serial.Serial:
        if self._port is None:
            raise ConnectionError(f"{self.name} is not open")
        return self._port

    def write(self, data: bytes) -> None:
        """Write and drain; a write timeout becomes TimeoutError."""
        port = self._conn()
        try:
            port.write(data)
            port.flush()
        except serial.SerialTimeoutException as exc:
            raise TimeoutError(f"{self.name}: write timed out") from exc
        except termios.error as exc:
            # tcdrain on a vanished device raises termios.error, which is not an OSError
            raise ConnectionError(f"{self.name}: {exc}") from exc

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
