"""Simulated RS-485 devices on a pty: a bus of window boards, and a Modbus numeric display.

The board bus keeps what every address shows and notes each frame that arrived closer than
``min_gap`` after the previous one (a real board would have missed it).  Arrival times are
taken when the bytes are read from the pty, so they are only as exact as the thread
scheduling: tests give them generous margins.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from devices.common.pty import PtyDevice
from devices.errors import ProtocolError
from devices.led.protocol import (
    WRITE_SINGLE,
    ModbusWrite,
    WindowFrame,
    WindowFrameParser,
    decode_request,
    with_crc,
)

ILLEGAL_ADDRESS = 2
REGISTER_COUNT = 0x100


@dataclass(frozen=True, slots=True)
class ReceivedFrame:
    """A frame as the bus saw it, with monotonic arrival times of its first and last bytes."""

    frame: WindowFrame
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class GapViolation:
    """Two frames closer than the minimum gap."""

    previous: ReceivedFrame
    frame: ReceivedFrame

    @property
    def gap(self) -> float:
        """Seconds between the end of one frame and the start of the next."""
        return self.frame.start - self.previous.end


class _PtyDevice(PtyDevice):
    """A pty device whose state is read by the test thread under ``_lock``."""

    def __init__(self, link_path: str | None) -> None:
        super().__init__(link_path)
        self._lock = threading.Lock()


class BoardBusSimulator(_PtyDevice):
    """Window boards and a hall board sharing one bus."""

    def __init__(self, *, min_gap: float = 0.2, link_path: str | None = None) -> None:
        super().__init__(link_path)
        self.min_gap = min_gap
        self._parser = WindowFrameParser()
        self._frames: list[ReceivedFrame] = []
        self._violations: list[GapViolation] = []
        self._boards: dict[int, WindowFrame] = {}
        self._started_at = 0.0

    @property
    def frames(self) -> list[ReceivedFrame]:
        """Every frame received, in order."""
        with self._lock:
            return list(self._frames)

    @property
    def violations(self) -> list[GapViolation]:
        """Frames that came too soon after the previous one."""
        with self._lock:
            return list(self._violations)

    @property
    def dropped_bytes(self) -> int:
        """Bytes that belonged to no well-formed frame."""
        with self._lock:
            return self._parser.dropped

    def showing(self, address: int) -> WindowFrame | None:
        """What the board at ``address`` shows now (None: nothing since power-on)."""
        with self._lock:
            return self._boards.get(address)

    def power_cycle(self) -> None:
        """Every board forgets what it showed (boards keep no state)."""
        with self._lock:
            self._boards.clear()

    def wait_for(self, address: int, text: str, timeout: float = 5.0) -> bool:
        """Wait until board ``address`` shows ``text``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.showing(address)
            if shown is not None and shown.text == text:
                return True
            time.sleep(0.01)
        return False

    def _received(self, data: bytes, now: float) -> None:
        with self._lock:
            if not self._parser.buffered:
                self._started_at = now
            for frame in self._parser.feed(data):
                received = ReceivedFrame(frame, self._started_at, now)
                self._started_at = now  # a second frame in the same read came with no gap
                if self._frames and received.start - self._frames[-1].end < self.min_gap:
                    self._violations.append(GapViolation(self._frames[-1], received))
                self._frames.append(received)
                self._boards[frame.address] = frame


class ModbusDisplaySimulator(_PtyDevice):
    """A numeric display answering Modbus writes to registers 0x0000-0x00FF."""

    def __init__(self, *, unit: int = 1, link_path: str | None = None) -> None:
        super().__init__(link_path)
        self.unit = unit
        self.silent = False
        self.bad_requests = 0
        self._buf = bytearray()
        self._registers = [0] * REGISTER_COUNT

    @property
    def value(self) -> int:
        """Holding register 0: the number shown."""
        with self._lock:
            return self._registers[0]

    def segments(self, count: int) -> bytes:
        """The raw segment bytes from register 0x80."""
        with self._lock:
            return bytes(r & 0xFF for r in self._registers[0x80 : 0x80 + count])

    def _received(self, data: bytes, now: float) -> None:
        with self._lock:
            self._buf += data
            while self._buf:
                try:
                    request, used = decode_request(bytes(self._buf))
                except ProtocolError:
                    self.bad_requests += 1
                    del self._buf[:1]  # resynchronise one byte further on
                    continue
                if request is None:
                    break
                raw = bytes(self._buf[:used])
                del self._buf[:used]
                reply = self._apply(request, raw)
                if reply and not self.silent:
                    self.pty.write(reply)

    def _apply(self, request: ModbusWrite, raw: bytes) -> bytes:
        if request.unit != self.unit:
            return b""  # another unit on the bus: stay quiet
        end = request.start + len(request.values)
        if end > REGISTER_COUNT:
            return with_crc(bytes([self.unit, request.function | 0x80, ILLEGAL_ADDRESS]))
        self._registers[request.start : end] = list(request.values)
        if request.function == WRITE_SINGLE:
            return raw  # 0x06 answers with an echo of the request
        return with_crc(raw[:6])
