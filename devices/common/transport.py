"""What a device adapter needs from a two-way byte link (serial line or TCP socket)."""

from __future__ import annotations

from typing import Protocol


class LineTransport(Protocol):
    """Open, write all, read with a timeout, close; failures are OSError."""

    name: str

    def open(self) -> None:
        """Open the link; raises OSError (pyserial's SerialException is one)."""

    def close(self) -> None:
        """Close the link; never raises."""

    def write(self, data: bytes) -> None:
        """Send every byte or raise OSError."""

    def read(self, size: int, timeout: float) -> bytes:
        """Up to ``size`` bytes, ``b""`` after ``timeout``; raises OSError on a dead link."""
