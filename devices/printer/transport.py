"""Links to a ticket printer: raw TCP (port 9100), serial (any pyserial URL) and the USB
printer class (``/dev/usb/lp0``, write-only here).

All raise :class:`OSError` (``ConnectionError`` for a link the far end closed) on failure and
return ``b""`` from :meth:`read` when nothing arrived before the timeout, so the adapter can
tell "the printer is silent" from "the link is gone".
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import socket
import time
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


class UsbLpTransport:
    """A USB printer-class device node (``/dev/usb/lp0``) or anything that behaves like one (a
    FIFO): opened for writing without blocking, every write bounded by ``timeout``.

    Reading is not offered (``read`` answers ``b""`` at once): the adapter runs such a printer
    without status checks (``check_status=False``). An unplugged printer (no device node, or
    a FIFO without a reader) fails ``open`` with an OSError.
    """

    def __init__(self, path: str, timeout: float = 5.0) -> None:
        self.path = path
        self.timeout = timeout
        self.name = f"usblp:{path}"
        self._fd: int | None = None

    def open(self) -> None:
        """Open the device for writing; ENXIO/ENOENT/EACCES come through as OSError."""
        self.close()
        self._fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)

    def close(self) -> None:
        """Close the device if open."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            with contextlib.suppress(OSError):
                os.close(fd)

    def write(self, data: bytes) -> None:
        """Write every byte within ``timeout``; a printer that stops taking data is an OSError."""
        if self._fd is None:
            raise ConnectionError(f"{self.name} is not open")
        view = memoryview(data)
        deadline = time.monotonic() + self.timeout
        while view:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(errno.ETIMEDOUT, f"{self.name}: write timed out")
            if not select.select([], [self._fd], [], left)[1]:
                continue
            try:
                written = os.write(self._fd, view)
            except BlockingIOError:
                continue
            view = view[written:]

    def read(self, size: int, timeout: float) -> bytes:
        """Nothing: this link is write-only."""
        return b""

    def discard_input(self) -> None:
        """Nothing to discard on a write-only link."""
