"""What the window boards and the hall board show: on the LED bus, and to board watchers.

A window's board blinks the call (``请A001到3号窗口``), goes steady once service starts and
shows the window's state when it is free; the hall board shows the last calls, the newest on
its top line (`kiosk.hardware.hall_board`). Each change of a window's board is also handed, as
a `BoardContent`, to the watchers (the service shell publishes it on MQTT for networked
boards), for every window the queue names, whether or not it has a board on the LED bus.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from devices.led.adapter import LedBus
from hallbase.clock import Clock
from hallbase.hallconfig.queue_devices import QueueDevicesSection, call_text, state_text
from hallbase.words import t
from kiosk.hardware.hall_board import MAX_WAIT, HallBoard

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BoardContent:
    """What window ``window``'s board shows from ``at`` on."""

    window: int
    text: str
    blinking: bool
    state: str  # calling, serving, or the window's state (idle, paused, closed ...)
    number: str | None  # the ticket called or served, None when the board shows the state
    at: datetime

    def body(self) -> dict[str, Any]:
        """The JSON form: ``{text, blinking, state, number, at}``."""
        return {
            "window": self.window,
            "text": self.text,
            "blinking": self.blinking,
            "state": self.state,
            "number": self.number,
            "at": self.at.isoformat(),
        }


BoardWatcher = Callable[[BoardContent], None]


class Boards:
    """The boards of the hall: texts from the queue's events to the LED bus and the watchers."""

    def __init__(self, config: QueueDevicesSection, led: LedBus | None, clock: Clock) -> None:
        self.config = config
        self.led = led
        self.clock = clock
        self.addresses = {w.number: w.board for w in config.windows if w.board is not None}
        self.hall_board = (
            HallBoard(led, config, t("board.welcome"))
            if led is not None and config.hall_board is not None
            else None
        )
        self.watchers: list[BoardWatcher] = []

    def show(
        self, address: int, text: str, *, blink: bool = False, times: int | None = None
    ) -> None:
        """Send ``text`` to the board at ``address`` on the LED bus (if there is one)."""
        if self.led is None:
            return
        try:
            self.led.show(address, text, blink=blink, blink_times=times)
        except ValueError as exc:  # too wide or not in the board's font: say what to change
            log.error(
                "board %d cannot show %r: %s (set queue_devices.board_columns or board_text)",
                address,
                text,
                exc,
            )

    def call(self, code: str, window: int) -> None:
        """Blink the call on the window's board and on the hall board's top line."""
        text = call_text(self.config, code, window)
        times = self.config.blink_times
        address = self.addresses.get(window)
        if address is not None:
            self.show(address, text, blink=times is None, times=times)
        if self.hall_board is not None:
            try:
                self.hall_board.call(text)
            except ValueError as exc:
                log.error("hall board cannot show %r: %s (set hall_board_columns)", text, exc)
        self._tell(window, text, blinking=True, state="calling", number=code)

    def started(self, code: str, window: int) -> None:
        """The call steady on the window's board: service has started."""
        text = call_text(self.config, code, window)
        address = self.addresses.get(window)
        if address is not None:
            self.show(address, text)
        self._tell(window, text, blinking=False, state="serving", number=code)

    def state(self, window: int, state: str) -> None:
        """The window's state (free, paused, closed ...) on its board."""
        text = state_text(self.config, window, state)
        address = self.addresses.get(window)
        if address is not None:
            self.show(address, text)
        self._tell(window, text, blinking=False, state=state, number=None)

    def initial(self, states: Mapping[int, str]) -> None:
        """Every window's state and the hall board's welcome, as the devices are taken over
        (calls shown before an earlier lease ended are not shown again)."""
        for window in sorted(set(self.addresses) | set(states)):
            state = states.get(window, "idle")
            self.state(window, "idle" if state == "serving" else state)
        if self.hall_board is not None:
            self.hall_board.clear()  # the welcome on the top line, the others blank

    def wait(self) -> float:
        """Seconds until the hall board changes by itself (a blink ends, a call expires)."""
        return self.hall_board.wait() if self.hall_board is not None else MAX_WAIT

    def refresh(self) -> None:
        """Send the hall board's lines that changed by themselves."""
        if self.hall_board is not None:
            self.hall_board.refresh()

    def _tell(self, window: int, text: str, **fields: Any) -> None:
        content = BoardContent(window=window, text=text, at=self.clock(), **fields)
        for watcher in self.watchers:
            try:
                watcher(content)
            except Exception:
                log.exception("board watcher failed on window %d", window)
