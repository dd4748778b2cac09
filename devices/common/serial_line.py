"""One serial line through pyserial (device path or URL): open, write, close.

Failures surface as :class:`OSError` (pyserial's ``SerialException`` is one): a write
timeout as ``TimeoutError``, a vanished device as ``ConnectionError``.  pyserial lets
``termios.error`` escape from ``flush`` (``tcdrain``) and ``reset_input_buffer``
(``tcflush``) when the device is gone, and that is not an OSError, so it is mapped here.
Reading is left to the subclasses: each device waits for its answers in its own way.
"""

from __future__ import annotations

import contextlib
import termios

import serial


class SerialLine:
    """A pyserial port opened on demand (8 data bits, no parity, 1 stop bit by default)."""

    def __init__(
        self,
        url: str,
        *,
        baudrate: int = 9600,
        bytesize: int = serial.EIGHTBITS,
        parity: str = serial.PARITY_NONE,
        stopbits: float = serial.STOPBITS_ONE,
        timeout: float | None,
        write_timeout: float | None = None,
    ) -> None:
        self.url = url
        self.name = url
        self.baudrate = baudrate
        self._line_settings = (bytesize, parity, stopbits, timeout, write_timeout)
        self._port: serial.Serial | None = None

    @property
    def is_open(self) -> bool:
        """True while the port is open."""
        return self._port is not None

    def open(self) -> None:
        """Open the port (closing any previous one); raises OSError or ValueError."""
        self.close()
        bytesize, parity, stopbits, timeout, write_timeout = self._line_settings
        self._port = serial.serial_for_url(
            self.url,
            baudrate=self.baudrate,
            bytesize=bytesize,
            parity=parity,
            stopbits=stopbits,
            timeout=timeout,
            write_timeout=write_timeout,
        )

    def close(self) -> None:
        """Close the port if open; never raises (the port is gone either way)."""
        port, self._port = self._port, None
        if port is not None:
            with contextlib.suppress(OSError):
                port.close()

    def _conn(self) -> serial.Serial:
        if self._port is None:
            raise ConnectionError(f"{self.name} is not open")
        return self._port

    def write(self, data: bytes) -> None:
        """Write all bytes and wait until they have left; a write timeout is TimeoutError."""
        port = self._conn()
        try:
            port.write(data)
            port.flush()
        except serial.SerialTimeoutException as exc:
            raise TimeoutError(f"{self.name}: write timed out") from exc
        except termios.error as exc:
            # tcdrain on a vanished device raises termios.error, which is not an OSError
            raise ConnectionError(f"{self.name}: {exc}") from exc

    def discard_input(self) -> None:
        """Drop bytes already received without blocking."""
        try:
            self._conn().reset_input_buffer()
        except termios.error as exc:
            raise ConnectionError(f"{self.name}: {exc}") from exc
