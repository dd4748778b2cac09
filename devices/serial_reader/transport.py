"""pyserial transport for punch readers: open by path or URL, read with a timeout, close.

Every failure surfaces as ``DeviceUnavailable``; the adapter decides when to try again.
Works with device paths (``/dev/ttyUSB0``, a pty, a by-id symlink) and pyserial URLs
(``loop://``, ``socket://host:port``, ``rfc2217://...``).
"""

from __future__ import annotations

import serial

from devices.common.serial_line import SerialLine
from devices.errors import DeviceUnavailable


class SerialTransport(SerialLine):
    """One serial port; ``read`` returns b"" when nothing arrived within ``read_timeout``."""

    def __init__(
        self,
        url: str,
        *,
        baudrate: int = 9600,
        bytesize: int = 8,
        parity: str = "N",
        stopbits: float = 1,
        read_timeout: float = 0.2,
    ) -> None:
        super().__init__(
            url,
            baudrate=baudrate,
            bytesize=bytesize,
            parity=parity,
            stopbits=stopbits,
            timeout=read_timeout,
        )
        self.bytesize = bytesize
        self.parity = parity
        self.stopbits = stopbits
        self.read_timeout = read_timeout

    def open(self) -> None:
        """Open the port (closing any previous one); raise DeviceUnavailable on failure."""
        try:
            super().open()
        except (OSError, ValueError) as exc:
            raise DeviceUnavailable(f"serial port {self.url}: cannot open: {exc}") from exc

    def _conn(self) -> serial.Serial:
        if self._port is None:
            raise DeviceUnavailable(f"serial port {self.url} is not open")
        return self._port

    def read(self, max_bytes: int = 4096) -> bytes:
        """Bytes that arrived, waiting up to the read timeout for the first one."""
        port = self._conn()
        try:
            first: bytes = port.read(1)
            if not first:
                return b""
            waiting = min(port.in_waiting, max_bytes - 1)
            rest: bytes = port.read(waiting) if waiting > 0 else b""
        except OSError as exc:
            raise DeviceUnavailable(f"serial port {self.url}: read failed: {exc}") from exc
        return first + rest

    def write(self, data: bytes) -> None:
        """Send bytes (for loopback tests and readers that take commands)."""
        try:
            super().write(data)
        except OSError as exc:
            raise DeviceUnavailable(f"serial port {self.url}: write failed: {exc}") from exc
