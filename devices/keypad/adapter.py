"""Reading a bus of call keypads and evaluators: decode, hand events on, acknowledge what
was done, and show numbers on the keypads' displays.

A frame is acknowledged (see `devices.keypad.keys.acknowledgement`) only when ``on_event``
says it was acted on: a key the table does not know, bad data, or a press the queue refused
gets no acknowledgement, so the keypad signals that nothing happened (and may send it again;
it is then judged again).  A keypad whose acknowledgement was lost sends the same frame
again: a repeat of an acknowledged frame from the same address within ``dedupe_window``
seconds is acknowledged again but not handed on twice (so a double press inside that window
counts once; 0 turns this off).  A frame with an unknown key or bad data is handed to
``on_bad`` as a :class:`~devices.events.BadRecord` with its bytes.  Writes to the line
(acknowledgements from the reader thread, displays from any thread) take one lock.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from devices.common.health import LinkHealth
from devices.common.worker import BackgroundWorker
from devices.errors import ProtocolError
from devices.events import BadRecord
from devices.keypad.keys import (
    DEFAULT_TABLE,
    KeyEvent,
    KeyTable,
    acknowledgement,
    decode_event,
    display_frame,
)
from devices.keypad.protocol import MAX_KEYPAD_LEN, FrameParser, KeypadFrame
from devices.keypad.transport import BusTransport, SerialBus

log = logging.getLogger(__name__)


class KeypadBus(BackgroundWorker):
    """One RS-485 line of keypads with its reader thread."""

    def __init__(
        self,
        transport: BusTransport | str,
        on_event: Callable[[KeyEvent], bool],
        *,
        table: KeyTable = DEFAULT_TABLE,
        on_bad: Callable[[BadRecord], None] | None = None,
        dedupe_window: float = 1.0,
        read_timeout: float = 0.1,
        reopen_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__("keypad-bus")
        self.transport = SerialBus(transport) if isinstance(transport, str) else transport
        self.on_event = on_event  # True: acted on (acknowledge), False: refused (no ack)
        self.table = table
        self.on_bad = on_bad
        self.dedupe_window = dedupe_window
        self.read_timeout = read_timeout
        self.reopen_interval = reopen_interval
        self.clock = clock
        self.parser = FrameParser(max_len=MAX_KEYPAD_LEN)
        self.acks = 0
        self.duplicates = 0
        self.refused = 0
        self._last: dict[int, tuple[bytes, float]] = {}
        self._write_lock = threading.Lock()
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
                self.parser = FrameParser(
                    max_len=MAX_KEYPAD_LEN
                )  # half a frame from the old link means nothing
                self._stop.wait(self.reopen_interval)

    def show(self, address: int, *, number: int | None = None, waiting: int | None = None) -> bool:
        """Show the called ``number`` and / or the ``waiting`` count on keypad ``address``;
        False when the line is down (the next call shows the numbers again)."""
        frame = display_frame(address, number=number, waiting=waiting, table=self.table)
        try:
            self._write(frame)
        except OSError as exc:
            log.warning(
                "keypad bus %s: display for %d not sent: %s", self.transport.name, address, exc
            )
            return False
        return True

    def _write(self, data: bytes) -> None:
        with self._write_lock:
            self.transport.write(data)

    def _handle(self, frame: KeypadFrame) -> None:
        raw = frame.raw
        now = self.clock()
        previous = self._last.get(frame.address)
        repeat = (
            previous is not None and previous[0] == raw and now - previous[1] < self.dedupe_window
        )
        if repeat:
            # acknowledged before and the ack was lost: acknowledge again, do not act twice
            log.debug("keypad %d repeated a frame (lost ack?): %s", frame.address, raw.hex(" "))
            self.duplicates += 1
            self._acknowledge(frame)
            return
        try:
            event = decode_event(frame, self.table)
        except ProtocolError as exc:
            log.warning("keypad bus %s: %s", self.transport.name, exc)
            self.refused += 1
            if self.on_bad is not None:
                self.on_bad(BadRecord(f"{self.transport.name}#{frame.address}", raw, str(exc)))
            return
        try:
            done = self.on_event(event)
        except Exception:
            # a failing consumer must not stop the bus: the next press still has to work
            log.exception("keypad event handler failed for %r", event)
            done = False
        if not done:
            self.refused += 1
            return
        self._last[frame.address] = (raw, now)
        self._acknowledge(frame)

    def _acknowledge(self, frame: KeypadFrame) -> None:
        self.acks += 1  # counted first: whoever sees the acknowledgement may read it at once
        self._write(acknowledgement(frame, self.table))
