"""A simulated RS-485 bus of window boards on a pty.

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
from devices.led.protocol import WindowFrame, WindowFrameParser


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
