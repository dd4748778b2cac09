"""pyserial transport for punch readers: open by path or URL, read with a timeout, close.

Every failure surfaces as ``DeviceUnavailable``; the adapter decides when to try again.
Works with device paths (``/dev/ttyUSB0``, a pty, a by-id symlink) and pyserial URLs
(``loop://``, ``socket://host:port``, ``rfc2217://...``).
"""

from __future__ import annotations

import contextlib

import serial

from devices.errors import DeviceUnavailable


class SerialTransport:
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
        self.url = url
        self.baudrate = baudrate
        self.bytesize = bytesize
        self.parity = parity
        self.stopbits = stopbits
        self.read_timeout = read_timeout
        self._port: serial.SerialBase | None = None

    @property
    def is_open(self) -> bool:
        """True while the port is open."""
        return self._port is not None

    def open(self) -> None:
        """Open the port (closing any previous one); raise DeviceUnavailable on failure."""
        self.close()
        try:
            port = serial.serial_for_url(
                self.url,
                do_not_open=True,
                baudrate=self.baudrate,
                bytesize=self.bytesize,
                parity=self.parity,
                stopbits=self.stopbits,
                timeout=self.read_timeout,
            )
            port.open()
        except (serial.SerialException, OSError, ValueError) as exc:
            raise DeviceUnavailable(f"serial port {self.url}: cannot open: {exc}") from exc
        self._port = port

    def read(self, max_bytes: int = 4096) -> bytes:
        """Bytes that arrived, waiting up to the read timeout for the first one."""
        port = self._port
        if port is None:
            raise DeviceUnavailable(f"serial port {self.url} is not open")
        try:
            first: bytes = port.read(1)
            if not first:
                return b""
            # Every concrete port class has in_waiting; the stubs type the factory's result
            # as SerialBase, which does not declare it.
            waiting = min(int(getattr(port, "in_waiting", 0)), max_bytes - 1)
            rest: bytes = port.read(waiting) if waiting > 0 else b""
        except (serial.SerialException, OSError) as exc:
            raise DeviceUnavailable(f"serial port {self.url}: read failed: {exc}") from exc
        return first + rest

    def write(self, data: bytes) -> None:
        """Send bytes (for loopback tests and readers that take commands)."""
        port = self._port
        if port is None:
            raise DeviceUnavailable(f"serial port {self.url} is not open")
        try:
            port.write(data)
            port.flush()
        except (serial.SerialException, OSError) as exc:
            raise DeviceUnavailable(f"serial port {self.url}: write failed: {exc}") from exc

    def close(self) -> None:
        """Close the port; never raises."""
        port, self._port = self._port, None
        if port is not None:
            with contextlib.suppress(serial.SerialException, OSError):
                port.close()  # the port is gone either way
