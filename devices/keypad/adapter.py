"""Reading a bus of call keypads and evaluators: acknowledge, decode, hand events on.

Every well-formed frame is acknowledged at once by echoing it, whether or not its key is
known, so that a keypad never repeats a frame the host has already seen.  A keypad whose
acknowledgement was lost sends the same frame again: a repeat of the same frame from the same
address within ``dedupe_window`` seconds is acknowledged again but not handed on twice (so a
double press inside that window counts once; 0 turns this off).  A frame with an unknown key
or bad data is handed to ``on_bad`` as a :class:`~devices.events.BadRecord` with its bytes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from devices.common.health import LinkHealth
from devices.common.worker import BackgroundWorker
from devices.errors import ProtocolError
from devices.events import BadRecord
from devices.keypad.protocol import FrameParser, KeyEvent, KeypadFrame, decode_event
from devices.keypad.transport import BusTransport, SerialBus

log = logging.getLogger(__name__)


class KeypadBus(BackgroundWorker):
    """One RS-485 line of keypads with its reader thread."""

    def __init__(
        self,
        transport: BusTransport | str,
        on_event: Callable[[KeyEvent], None],
        *,
        on_bad: Callable[[BadRecord], None] | None = None,
        dedupe_window: float = 1.0,
        read_timeout: float = 0.1,
        reopen_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__("keypad-bus")
        self.transport = SerialBus(transport) if isinstance(transport, str) else transport
        self.on_event = on_event
        self.on_bad = on_bad
        self.dedupe_window = dedupe_window
        self.read_timeout = read_timeout
        self.reopen_interval = reopen_interval
        self.clock = clock
        self.parser = FrameParser()
        self.acks = 0
        self.duplicates = 0
        self._last: dict[int, tuple[bytes, float]] = {}
        self._health = LinkHealth(log, f"keypad bus {self.transport.name}")

    @property
    def available(self) -> bool:
        """True while the port is open and reads succeed."""
        return self._health.available

    def stop(self) -> None:
        """Stop reading and close the port."""
        self._stop_thread()
        self.transport.close()
        self._health.clear()

    def wait_available(self, timeout: float = 5.0) -> bool:
        """Wait until the port is open (tests, start-up checks)."""
        deadline = time.monotonic() + timeout
        while not self.available and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.available

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if not self.available:
                    self.transport.open()
                    self._health.up()
                data = self.transport.read(256, self.read_timeout)
                for frame in self.parser.feed(data):
                    self._handle(frame)
            except Exception as exc:
                # OSError is the expected failure; anything else is logged in full, but the
                # reader thread must survive it: a dead thread would leave a hall deaf
                if not isinstance(exc, OSError):
                    log.exception("keypad bus %s: unexpected error", self.transport.name)
                self.transport.close()
                self._health.down(exc)
                self.parser = FrameParser()  # half a frame from the old link means nothing
                self._stop.wait(self.reopen_interval)

    def _handle(self, frame: KeypadFrame) -> None:
        raw = frame.raw
        now = self.clock()
        previous = self._last.get(frame.address)
        self._last[frame.address] = (raw, now)
        repeat = (
            previous is not None and previous[0] == raw and now - previous[1] < self.dedupe_window
        )
        # counters first: whoever sees the acknowledgement may read them at once
        self.acks += 1
        self.duplicates += repeat
        self.transport.write(raw)  # the acknowledgement
        if repeat:
            log.debug("keypad %d repeated a frame (lost ack?): %s", frame.address, raw.hex(" "))
            return
        try:
            event = decode_event(frame)
        except ProtocolError as exc:
            log.warning("keypad bus %s: %s", self.transport.name, exc)
            if self.on_bad is not None:
                self.on_bad(BadRecord(f"{self.transport.name}#{frame.address}", raw, str(exc)))
            return
        try:
            self.on_event(event)
        except Exception:
            # a failing consumer must not stop the bus: the next press still has to work
            log.exception("keypad event handler failed for %r", event)
