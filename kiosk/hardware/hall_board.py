"""The hall board on the LED bus: the last calls, one per line, each for a while, a new one
blinking for a while (`devices.led.hall_board` decides what each line shows; this sends it).

``[queue_devices]``: ``hall_board`` is the top line's address, ``hall_board_lines`` how many
lines (at consecutive addresses), ``hall_board_hold_s`` how long a call stays and
``hall_board_blink_s`` how long a new call blinks.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from devices.led.adapter import LedBus
from devices.led.hall_board import HallBoardLines
from hallbase.hallconfig.queue_devices import QueueDevicesSection

MAX_WAIT = 0.2  # the listener looks at the bus at least this often anyway


class HallBoard:
    """The hall board's lines, sent to the bus as they change; thread-safe."""

    def __init__(
        self,
        led: LedBus,
        config: QueueDevicesSection,
        idle_text: str,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.led = led
        self.addresses = config.hall_board_addresses
        self.clock = clock
        self.config = config
        self.idle_text = idle_text
        self.lines = self._empty()
        self._lock = threading.Lock()

    def _empty(self) -> HallBoardLines:
        return HallBoardLines(
            len(self.addresses),
            hold=self.config.hall_board_hold_s,
            blink=self.config.hall_board_blink_s,
            idle_text=self.idle_text,
        )

    def clear(self) -> None:
        """Forget every call and send every line again: the welcome on the top line, the
        others blank (as the devices are taken over; the board may show anything)."""
        with self._lock:
            self.lines = self._empty()
            self._send()

    def call(self, text: str) -> None:
        """Show a call (the same text again moves it to the top line and blinks it again)."""
        with self._lock:
            self.lines.add(text, text, self.clock())
            self._send()

    def refresh(self) -> None:
        """Send what changed by itself (a blink that ended, a call that expired)."""
        with self._lock:
            self._send()

    def wait(self) -> float:
        """Seconds until the next change by itself (at most `MAX_WAIT`)."""
        with self._lock:
            now = self.clock()
            due = self.lines.next_change(now)
        return MAX_WAIT if due is None else max(0.0, min(MAX_WAIT, due - now))

    def _send(self) -> None:
        for index, content in self.lines.changes(self.clock()):
            self.led.show(self.addresses[index], content.text, blink=content.blink)
