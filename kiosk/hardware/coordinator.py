"""The queue's devices wired to the queue: ticket printer, LED boards and call keypads.

Theory of operation: the component listens to the queue's event bus on its own thread and
never sits in a request's path, so a printer or a board that is down cannot hold up taking a
ticket or calling one. A ticket issued at a kiosk (``ticket.issued``, first leg) becomes a
print job on that kiosk's printer (the main one when it has none), and a service finished with
documents missing (``ticket.finished``) prints the one-time notice (一次性告知单) on the
window's printer; each printer runs its jobs on its own thread (`kiosk.hardware.printer_lane`:
alerts, state on the bus). Calls blink on the window's board and on the hall
board; the board goes steady once service starts and shows the window's state when it is free.
Keypad presses become the same domain operations the window console calls, each in its own
transaction whose events are published after commit (`kiosk.hardware.keypads`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine
from sqlmodel import select

from devices.led.adapter import LedBus
from devices.led.transport import SerialBus
from devices.printer.adapter import TicketPrinter
from devices.printer.protocol import NoticePrint, TicketPrint
from hallbase.clock import Clock
from hallbase.hallconfig.printers import MAIN
from hallbase.hallconfig.queue_devices import QueueDevicesSection, call_text, state_text
from hallbase.settings import Settings
from hallbase.words import t
from kiosk.api.common import Queue
from kiosk.config import QueueConfig
from kiosk.context import Ctx, WindowWatcher
from kiosk.events import EventBus, Published
from kiosk.hardware.keypads import KeypadDesk
from kiosk.hardware.printer_lane import PrinterLane
from kiosk.hardware.printing import (
    PARITY,
    Job,
    PrintNotice,
    PrintTicket,
    make_printers,
    notice_print,
    ticket_print,
)
from kiosk.models import WindowLive

log = logging.getLogger(__name__)


class QueueDevices:
    """Background component: bus events to printer and boards, keypad presses to the queue."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        bus: EventBus,
        config: QueueDevicesSection,
        *,
        queue_config: QueueConfig | None = None,
        clock: Clock,
        printer: TicketPrinter | None = None,
        window_watchers: Sequence[WindowWatcher] = (),
    ) -> None:
        self.config = config
        self.bus = bus
        self.clock = clock
        self.zone = settings.zone
        self.engine = engine
        self.queue = Queue(
            engine, settings, queue_config or QueueConfig(), bus, clock, window_watchers
        )
        self.public_url = settings.public_url
        printers = make_printers(config)
        self.default_printer = config.default_printer()
        if printer is not None:  # a printer given by the caller replaces the default one
            self.default_printer = self.default_printer or MAIN
            printers[self.default_printer] = printer
        self.kiosk_printers = config.kiosk_printers()
        self.window_printers = {w.number: w.printer for w in config.windows if w.printer}
        self.lanes = {
            name: PrinterLane(
                name,
                p,
                engine=engine,
                bus=bus,
                clock=clock,
                zone=self.zone,
                poll_s=config.printer_poll_s,
                tickets=self._ticket_print,
                notices=self._notice_print,
            )
            for name, p in printers.items()
        }
        default = self.lanes.get(self.default_printer or "")
        self.printer = default.printer if default is not None else None
        self.led = (
            LedBus(
                SerialBus(
                    config.led_bus, baudrate=config.led_baudrate, parity=PARITY[config.led_parity]
                ),
                min_gap=config.led_min_gap_ms / 1000,
                text_limits=config.board_widths(),
            )
            if config.led_bus
            else None
        )
        self.desk = KeypadDesk(self.queue, bus, config) if config.keypad_bus else None
        self.keypads = self.desk.line if self.desk is not None else None
        self.boards = {w.number: w.board for w in config.windows if w.board is not None}
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    # --- lifecycle ---

    def start(self) -> None:
        """Subscribe to the bus and start the device threads."""
        self._stop.clear()
        sub = self.bus.subscribe(maxsize=2048)
        self._threads = [threading.Thread(target=self._listen, args=(sub,), name="queue-devices")]
        for lane in self.lanes.values():
            lane.start()
        for thread in self._threads:
            thread.daemon = True
            thread.start()
        if self.led is not None:
            self.led.start()
            self._initial_boards()
        if self.desk is not None:
            self.desk.start()

    def stop(self) -> None:
        """Stop the threads and close the devices."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads = []
        for lane in self.lanes.values():
            lane.stop()
        if self.desk is not None:
            self.desk.stop()
        if self.led is not None:
            self.led.stop()

    def status(self, kiosk: str | None = None) -> dict[str, Any]:
        """What the pages show about the devices; ``printer`` is the one of ``kiosk`` (a kiosk
        machine key's name), else the default one."""
        default = self.lanes.get(self.kiosk_printers.get(kiosk or "", self.default_printer or ""))
        return {
            "printer": None if default is None else default.status(),
            "printers": [lane.status() for lane in self.lanes.values()],
            "led": None if self.led is None else {"available": self.led.available},
            "keypads": None if self.keypads is None else {"available": self.keypads.available},
        }

    # --- bus events ---

    def _listen(self, sub: Any) -> None:
        while not self._stop.is_set():
            if sub.dropped:
                log.warning("queue devices fell behind the event bus; resubscribing")
                self.bus.unsubscribe(sub)
                sub = self.bus.subscribe(maxsize=2048)
            event = sub.get(timeout=0.2)
            if event is None:
                continue
            try:
                self.handle(event)
            except Exception:
                log.exception("queue devices: event %s failed", event.kind)
        self.bus.unsubscribe(sub)

    def handle(self, event: Published) -> None:
        """React to one queue event."""
        data = event.data
        kind = event.kind
        if kind == "ticket.issued" and data.get("leg", 0) == 0:
            printer = self.kiosk_printers.get(str(data.get("kiosk")), self.default_printer)
            self._enqueue(printer, PrintTicket(int(data["ticket_id"])))
        elif kind == "ticket.finished" and data.get("notice"):
            documents = tuple(data["notice"].get("documents", ()))
            window = data.get("window")
            printer = self.window_printers.get(int(window or 0)) or self.default_printer
            self._enqueue(printer, PrintNotice(int(data["ticket_id"]), window, documents))
        elif kind in ("ticket.called", "ticket.recalled"):
            self._show_call(str(data["code"]), int(data["window"]))
        elif kind == "ticket.started":
            board = self.boards.get(int(data["window"]))
            if board is not None:
                self._show(board, call_text(self.config, str(data["code"]), int(data["window"])))
        elif kind == "window.state" and data.get("state") != "serving":
            self._show_state(int(data["window"]), str(data.get("state", "idle")))
        if self.desk is not None:
            self.desk.handle(event)

    def _show(
        self, address: int, text: str, *, blink: bool = False, times: int | None = None
    ) -> None:
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

    def _enqueue(self, printer: str | None, job: Job) -> None:
        lane = self.lanes.get(printer or "")
        if lane is not None:
            lane.enqueue(job)
        elif self.lanes:
            log.warning("no printer for %r: give its kiosk or window a printer", job)

    def _show_call(self, code: str, window: int) -> None:
        text = call_text(self.config, code, window)
        times = self.config.blink_times
        for address in (self.boards.get(window), self.config.hall_board):
            if address is not None:
                self._show(address, text, blink=times is None, times=times)

    def _show_state(self, window: int, state: str) -> None:
        board = self.boards.get(window)
        if board is not None:
            self._show(board, state_text(self.config, window, state))

    def _initial_boards(self) -> None:
        def op(ctx: Ctx) -> dict[int, str]:
            rows = ctx.session.exec(select(WindowLive)).all()
            return {r.window_number: r.state for r in rows}

        states = self.queue.read(op)
        for window in self.boards:
            state = states.get(window, "idle")
            self._show_state(window, "idle" if state == "serving" else state)
        if self.config.hall_board is not None:
            self._show(self.config.hall_board, t("board.welcome"))

    # --- printing ---

    def _ticket_print(self, ticket_id: int) -> TicketPrint | None:
        footer = self.config.ticket_footer
        return self.queue.read(lambda ctx: ticket_print(ctx, ticket_id, footer, self.public_url))

    def _notice_print(self, job: PrintNotice) -> NoticePrint | None:
        return self.queue.read(lambda ctx: notice_print(ctx, job))


def install_queue_devices(
    app: FastAPI, config: QueueDevicesSection | None = None
) -> QueueDevices | None:
    """Add the device component to ``app`` (after `install_queue`); None when none configured."""
    settings: Settings = app.state.settings
    config = config or getattr(settings.hall, "queue_devices", None)
    if config is None:
        return None
    component = QueueDevices(
        app.state.engine,
        settings,
        app.state.bus,
        config,
        queue_config=app.state.queue_config,
        clock=lambda: app.state.clock(),  # read per call: tests replace the app's clock
        window_watchers=app.state.window_watchers,
    )
    app.state.parts.components.append(component)
    app.state.queue_devices = component
    return component
