"""What a simulated printer received and would have printed, readable from any thread.

Shared by the network simulator (`devices.printer.simulator`) and the USB printer-class
simulator (`devices.printer.lp_simulator`): bytes go in through `_record`, and the text, cuts,
QR codes and raster images come out through the properties.
"""

from __future__ import annotations

import threading
import time

from devices.printer.reader import EscPosReader, PrintedLine, QrSymbol, RasterImage


class PrintRecorder:
    """Every byte received, fed to an `EscPosReader` under one lock."""

    def __init__(self, *, chinese_default: bool = False) -> None:
        self._lock = threading.Lock()
        self._received = bytearray()
        self._reader = EscPosReader(chinese_default=chinese_default)
        self.arrivals: list[tuple[float, int]] = []  # (time.monotonic(), end offset) per read

    def _record(self, data: bytes) -> list[int]:
        """Take ``data`` in; return the ``DLE EOT n`` queries it carried (caller holds no lock)."""
        with self._lock:
            self._received += data
            if data:
                self.arrivals.append((time.monotonic(), len(self._received)))
            return self._reader.feed(data)

    def first_byte_after(self, offset: int) -> float | None:
        """When the first byte at or beyond ``offset`` arrived (time.monotonic()), if it has."""
        with self._lock:
            return next((at for at, end in self.arrivals if end > offset), None)

    @property
    def received(self) -> bytes:
        """Every byte received, in order."""
        with self._lock:
            return bytes(self._received)

    @property
    def text(self) -> str:
        """The text printed so far, one line per printed line."""
        with self._lock:
            return self._reader.text

    @property
    def lines(self) -> list[PrintedLine]:
        """Printed lines with their size and alignment."""
        with self._lock:
            return list(self._reader.lines)

    @property
    def jobs(self) -> list[str]:
        """The text of each piece of paper cut off so far."""
        with self._lock:
            return ["\n".join(line.text for line in job) for job in self._reader.jobs]

    @property
    def cuts(self) -> int:
        """How many cuts were commanded."""
        with self._lock:
            return self._reader.cuts

    @property
    def qr_codes(self) -> list[str]:
        """Payloads of the QR codes printed with ``GS ( k``."""
        with self._lock:
            return list(self._reader.qr_codes)

    @property
    def qr_symbols(self) -> list[QrSymbol]:
        """The ``GS ( k`` QR codes printed: stored bytes, model, module size, error level."""
        with self._lock:
            return list(self._reader.qr_symbols)

    @property
    def images(self) -> list[RasterImage]:
        """The ``GS v 0`` raster images printed."""
        with self._lock:
            return list(self._reader.images)

    @property
    def unknown_commands(self) -> list[bytes]:
        """Bytes the reader did not understand."""
        with self._lock:
            return list(self._reader.unknown)

    def wait_for(self, predicate_text: str, timeout: float = 5.0) -> bool:
        """Wait until ``predicate_text`` appears in the printed text (for tests and demos)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate_text in self.text:
                return True
            time.sleep(0.01)
        return False

    def wait_for_cuts(self, count: int, timeout: float = 5.0) -> bool:
        """Wait until at least ``count`` cuts were received."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.cuts >= count:
                return True
            time.sleep(0.01)
        return False
