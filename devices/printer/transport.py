"""Two-way links to a ticket printer: raw TCP (port 9100) and serial (any pyserial URL).

Both raise :class:`OSError` (``ConnectionError`` for a link the far end closed) on failure and
return ``b""`` from :meth:`read` when nothing arrived before the timeout, so the adapter can
tell "the printer is silent" from "the link is gone".
"""

from __future__ import annotations

import select
import socket
from typing import Protocol

from devices.common.serial_line import SerialLine
from devices.common.transport import LineTransport


class PrinterTransport(LineTransport, Protocol):
    """What the adapter needs from a link: open, write all, read with a timeout, close.

    ``read`` raises ConnectionError on a link the printer closed.
    """

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


class SerialTransport(SerialLine):
    """A serial printer through pyserial (``/dev/ttyUSB0``, ``socket://``, ``loop://``...)."""

    def __init__(
        self, url: str, baudrate: int = 9600, timeout: float = 5.0, parity: str = "N"
    ) -> None:
        super().__init__(
            url, baudrate=baudrate, parity=parity, timeout=timeout, write_timeout=timeout
        )
        self.timeout = timeout

    def read(self, size: int, timeout: float) -> bytes:
        """Wait up to ``timeout`` for at least one byte."""
        port = self._conn()
        port.timeout = timeout
        data: bytes = port.read(1)
        if data and size > 1 and port.in_waiting:
            data += port.read(min(size - 1, port.in_waiting))
        return data
