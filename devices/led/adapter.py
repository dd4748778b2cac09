"""Writing window boards and the hall board on one RS-485 bus.

Theory of operation: boards never answer and forget what they show when power blinks, so the
bus keeps each board's last content and sends it again every ``resend_interval``.  Boards
also miss a frame that follows the previous one too closely, so one writer thread per bus
sends one frame at a time and waits ``min_gap`` (200-300 ms on real buses) after the end of
each frame, measured on a monotonic clock that tests can replace.  The order and the gaps are
decided by :class:`BusScheduler`, which does no I/O and never reads a clock itself.  A newer
content for a board replaces its older, still unsent one: only the latest matters.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping

from devices.common.health import LinkHealth
from devices.common.worker import BackgroundWorker
from devices.led.protocol import DEFAULT_MAX_TEXT_BYTES, encode_window_frame, mode_byte
from devices.led.transport import BusTransport, SerialBus

log = logging.getLogger(__name__)


class BusScheduler:
    """Which frame goes next on a bus, and when (pure: ``now`` is always passed in)."""

    def __init__(self, min_gap: float = 0.25, resend_interval: float = 15.0) -> None:
        if min_gap < 0 or resend_interval <= 0:
            raise ValueError("min_gap must be >= 0 and resend_interval > 0")
        self.min_gap = min_gap
        self.resend_interval = resend_interval
        self._content: dict[int, bytes] = {}
        self._pending: OrderedDict[int, None] = OrderedDict()
        self._last_sent: dict[int, float] = {}
        self._last_end: float | None = None

    @property
    def pending(self) -> int:
        """Boards with new content not yet sent."""
        return len(self._pending)

    def content(self, address: int) -> bytes | None:
        """The frame a board should be showing."""
        return self._content.get(address)

    def set(self, address: int, frame: bytes) -> None:
        """New content for a board: queue it (replacing an unsent older one)."""
        self._content[address] = frame
        self._pending[address] = None

    def requeue(self, address: int) -> None:
        """Send a board's content again soon (after a failed write)."""
        if address in self._content:
            self._pending[address] = None

    def next(self, now: float) -> tuple[int | None, float]:
        """(address to send now, 0) or (None, seconds to wait; inf when nothing is due)."""
        if self._last_end is not None and now - self._last_end < self.min_gap:
            return None, self.min_gap - (now - self._last_end)
        if self._pending:
            address, _ = self._pending.popitem(last=False)
            return address, 0.0
        if not self._content:
            return None, float("inf")
        address = min(self._content, key=lambda a: self._last_sent.get(a, float("-inf")))
        due = self._last_sent.get(address, float("-inf")) + self.resend_interval
        if due <= now:
            return address, 0.0
        return None, due - now

    def sent(self, address: int, end: float) -> None:
        """Record that ``address``'s frame finished leaving the port at ``end``."""
        self._last_end = end
        self._last_sent[address] = end


class LedBus(BackgroundWorker):
    """One RS-485 bus of window boards (and the hall board) with its writer thread."""

    def __init__(
        self,
        transport: BusTransport | str,
        *,
        min_gap: float = 0.25,
        resend_interval: float = 15.0,
        text_limits: Mapping[int, int] | None = None,
        strict_gb2312: bool = False,
        reopen_interval: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__("led-bus")
        self.transport = SerialBus(transport) if isinstance(transport, str) else transport
        self.scheduler = BusScheduler(min_gap, resend_interval)
        self.text_limits = dict(text_limits or {})
        self.strict_gb2312 = strict_gb2312
        self.reopen_interval = reopen_interval
        self.clock = clock
        self.frames_sent = 0
        self._cond = threading.Condition()
        self._health = LinkHealth(log, f"LED bus {self.transport.name}")
        self._open = False
        self._sending = False

    @property
    def available(self) -> bool:
        """True while the last write to the bus succeeded."""
        return self._health.available

    def stop(self) -> None:
        """Stop the writer thread and close the port."""
        self._stop_thread()
        self.transport.close()
        self._open = False

    def _wake(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def show(
        self, address: int, text: str, *, blink: bool = False, blink_times: int | None = None
    ) -> bytes:
        """Queue what board ``address`` shows; bad text raises ValueError here, in the caller."""
        frame = encode_window_frame(
            address,
            text,
            mode_byte(blink=blink, times=blink_times),
            max_text_bytes=self.text_limits.get(address, DEFAULT_MAX_TEXT_BYTES),
            strict_gb2312=self.strict_gb2312,
        )
        with self._cond:
            self.scheduler.set(address, frame)
            self._cond.notify_all()
        return frame

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every new content has been sent (not the periodic resends)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.scheduler.pending or self._sending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.05))
        return True

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._cond:
                address, wait = self.scheduler.next(self.clock())
                if address is None:
                    self._cond.wait(min(wait, 0.5))
                    continue
                frame = self.scheduler.content(address)
                self._sending = True
            try:
                if frame is not None:
                    self._write(address, frame)
            finally:
                with self._cond:
                    self._sending = False
                    self._cond.notify_all()

    def _write(self, address: int, frame: bytes) -> None:
        try:
            if not self._open:
                self.transport.open()
                self._open = True
            self.transport.write(frame)
        except Exception as exc:
            # OSError is expected; anything else is logged in full, and the writer survives
            if not isinstance(exc, OSError):
                log.exception("LED bus %s: unexpected error", self.transport.name)
            self.transport.close()
            self._open = False
            with self._cond:
                self.scheduler.requeue(address)
            self._health.down(exc)
            self._stop.wait(self.reopen_interval)
            return
        with self._cond:
            self.scheduler.sent(address, self.clock())
        self.frames_sent += 1
        self._health.up()
