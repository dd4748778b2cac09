"""Two-way links to a ticket printer: raw TCP (port 9100) and serial (any pyserial URL).

Both raise :class:`OSError` (``ConnectionError`` for a link the far end closed) on failure and
return ``b""`` from :meth:`read` when nothing arrived before the timeout, so the adapter can
tell "the printer is silent" from "the link is gone".
"""

from __future__ import annotations

import select
import socket
import termios
from typing import Protocol

import serial


class PrinterTransport(Protocol):
    """What the adapter needs from a link: open, write all, read with a timeout, close."""

    name: str

    def open(self) -> None:
        """Open the link; raises OSError when the printer cannot be reached."""

    def close(self) -> None:
        """Close the link; never raises."""

    def write(self, data: bytes) -> None:
        """Send every byte or raise OSError."""

    def read(self, size: int, timeout: float) -> bytes:
        """Up to ``size`` bytes, ``b""`` on timeout; raises ConnectionError on a closed link."""

    def discard_input(self) -> None:
        """Drop bytes already received (stale status answers) without blocking."""


class TcpTransport:
    """Raw TCP to a network printer (JetDirect-style port 9100)."""

    def __init__(self, host: str, port: int = 9100, timeout: float = 5.0) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self.name = f"tcp://{host}:{port}"
        self._sock: socket.socket | None = None

    def open(self) -> None:
        """Connect with the configured timeout."""
        self.close()
        self._sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def close(self) -> None:
        """Close the socket if open."""
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None

    def _conn(self) -> socket.socket:
        if self._sock is None:
            raise ConnectionError(f"{self.name} is not open")
        return self._sock

    def write(self, data: bytes) -> None:
        """Send all bytes within the timeout."""
        sock = self._conn()
        sock.settimeout(self.timeout)
        sock.sendall(data)

    def read(self, size: int, timeout: float) -> bytes:
        """Wait up to ``timeout`` for bytes; an orderly close by the printer is ConnectionError."""
        sock = self._conn()
        sock.settimeout(timeout)
        try:
            data = sock.recv(size)
        except TimeoutError:
            return b""
        if not data:
            raise ConnectionError(f"{self.name} closed the connection")
        return data

    def discard_input(self) -> None:
        """Read and drop whatever is waiting; notices a closed connection."""
        sock = self._conn()
        while select.select([sock], [], [], 0)[0]:
            if not sock.recv(4096):
                raise ConnectionError(f"{self.name} closed the connection")


class SerialTransport:
    """A serial printer through pyserial (``/dev/ttyUSB0``, ``socket://``, ``loop://``...)."""

    def __init__(self, url: str, baudrate: int = 9600, timeout: float = 5.0) -> None:
        self.url = url
        self.baudrate = baudrate
        self.timeout = timeout
        self.name = url
        self._port: serial.Serial | None = None

    def open(self) -> None:
        """Open the port; pyserial's SerialException is an OSError."""
        self.close()
        self._port = serial.serial_for_url(
            self.url, baudrate=self.baudrate, timeout=self.timeout, write_timeout=self.timeout
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
        """Write all bytes; a write timeout becomes OSError."""
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
        """Wait up to ``timeout`` for at least one byte."""
        port = self._conn()
        port.timeout = timeout
        data: bytes = port.read(1)
        if data and size > 1 and port.in_waiting:
            data += port.read(min(size - 1, port.in_waiting))
        return data

    def discard_input(self) -> None:
        """Drop pending input bytes."""
        try:
            self._conn().reset_input_buffer()
        except termios.error as exc:
            raise ConnectionError(f"{self.name}: {exc}") from exc
