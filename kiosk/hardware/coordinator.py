"""The queue's devices wired to the queue: ticket printer, LED boards and call keypads.

Theory of operation: the component listens to the queue's event bus on its own thread and
never sits in a request's path, so a printer or a board that is down cannot hold up taking a
ticket or calling one. A ticket issued at a kiosk (``ticket.issued``, first leg) becomes a
print job on that kiosk's printer (the main one when it has none), a ticket asked for again by
staff (``print.requested``) prints on the printer it printed on (else the main one), and a
service finished with documents missing (``ticket.finished``) prints the one-time notice
(一次性告知单) on the window's printer. Each printer has its own thread
(`kiosk.hardware.print_worker`: tickets the printer refused wait for it and print when it is
back). Calls blink on the window's board, which goes steady once service starts and shows the
window's state when it is free, and on the hall board's top line, older calls moving down
(`kiosk.hardware.boards`, `kiosk.hardware.hall_board`). Keypad presses become the same domain
operations the window console calls, each in its own transaction whose events are published
after commit (`kiosk.hardware.keypads`).

With several instances on one database, each hears every instance's events; only the one that
holds the lease on the device set (`hallbase.lease`) opens the printers and the buses and acts
on them, the others open nothing until they take the lease over.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine
from sqlmodel import select

from devices.led.adapter import LedBus
from devices.led.transport import SerialBus
from devices.printer.adapter import TicketPrinter
from hallbase.clock import Clock
from hallbase.hallconfig.printers import MAIN
from hallbase.hallconfig.queue_devices import QueueDevicesSection
from hallbase.lease import Lease
from hallbase.models import Window
from hallbase.settings import Settings
from hallbase.words import languages
from kiosk.api.common import Queue
from kiosk.config import QueueConfig
from kiosk.context import Ctx, WindowWatcher
from kiosk.events import EventBus, Published
from kiosk.hardware.boards import Boards
from kiosk.hardware.keypads import KeypadDesk
from kiosk.hardware.print_worker import PrinterWorker
from kiosk.hardware.printing import PARITY, Job, PrintNotice, PrintTicket, make_printers
from kiosk.models import WindowLive

log = logging.getLogger(__name__)
LEASE_NAME = "queue-devices"  # the device set: the hall's printer, board bus and keypad bus


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
        printers = make_printers(config)
        self.default_printer = config.default_printer()
        if printer is not None:  # a printer given by the caller replaces the default one
            self.default_printer = self.default_printer or MAIN
            printers[self.default_printer] = printer
        self.kiosk_printers = config.kiosk_printers()
        self.window_printers = {w.number: w.printer for w in config.windows if w.printer}
        self.workers = {
            name: PrinterWorker(
                p,
                self.queue,
                config,
                clock=clock,
                name=name,
                gate=lambda: self.lease.confirm(),
                adopts=self._adopter(name, set(printers)),
            )
            for name, p in printers.items()
        }
        default = self.workers.get(self.default_printer or "")
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
        self.boards = Boards(config, self.led, clock)
        self.hall_board = self.boards.hall_board
        self.lease = Lease(
            engine,
            LEASE_NAME,
            f"{settings.instance[:140]}/{secrets.token_hex(4)}",
            clock,
            seconds=config.lease_s,
            renew_seconds=config.lease_renew_s,
            on_gain=self._open,
            on_loss=self._close,
        )
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    # --- lifecycle ---

    def start(self) -> None:
        """Take the lease on the devices, or watch for it: its holder drives them."""
        self.lease.start()

    def stop(self) -> None:
        """Close the devices (if this instance drives them) and give the lease back."""
        self.lease.stop()

    def _open(self) -> None:
        """Subscribe to the bus and start the device threads (the lease was taken)."""
        self._stop.clear()
        sub = self.bus.subscribe(maxsize=2048)
        if self.led is not None:
            self.led.start()
        self._initial_boards()  # the bus's boards, the hall board and the board watchers
        self._threads = [threading.Thread(target=self._listen, args=(sub,), name="queue-devices")]
        for thread in self._threads:
            thread.daemon = True
            thread.start()
        for worker in self.workers.values():
            worker.start()
        if self.desk is not None:
            self.desk.start()

    def _close(self) -> None:
        """Stop the threads and close the devices (the lease was lost or given back)."""
        self._stop.set()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout=10)
        self._threads = []
        for worker in self.workers.values():
            worker.stop()
        if self.desk is not None:
            self.desk.stop()
        if self.led is not None:
            self.led.stop()

    def status(self, kiosk: str | None = None) -> dict[str, Any]:
        """What the pages show about the devices; ``printer`` is the one of ``kiosk`` (a kiosk
        machine key's name), else the default one."""
        printers = [self._printer_status(worker) for worker in self.workers.values()]
        own = self.kiosk_printers.get(kiosk or "", self.default_printer or "")
        return {
            "printer": next((p for p in printers if p["name"] == own), None),
            "printers": printers,
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
            event = sub.get(timeout=self.boards.wait())
            if not self.lease.confirm():
                continue
            try:
                if event is not None:
                    self.handle(event)
                self.boards.refresh()
            except Exception:
                log.exception("queue devices: event %s failed", event.kind if event else "-")
        self.bus.unsubscribe(sub)

    def handle(self, event: Published) -> None:
        """React to one queue event."""
        data = event.data
        kind = event.kind
        if kind == "ticket.issued" and data.get("leg", 0) == 0:
            printer = self.kiosk_printers.get(str(data.get("kiosk")), self.default_printer)
            self._submit(printer, PrintTicket(int(data["ticket_id"])))
        elif kind == "print.requested":
            printer = data.get("printer")
            if printer not in self.workers:  # never printed, or its printer is gone
                printer = self.default_printer
            self._submit(printer, PrintTicket(int(data["ticket_id"]), reprint=True))
        elif kind == "ticket.finished" and data.get("notice"):
            documents = tuple(data["notice"].get("documents", ()))
            window = data.get("window")
            printer = self.window_printers.get(int(window or 0)) or self.default_printer
            self._submit(printer, PrintNotice(int(data["ticket_id"]), window, documents))
        elif kind in ("ticket.called", "ticket.recalled"):
            self._show_call(str(data["code"]), int(data["window"]))
        elif kind == "ticket.started":
            self.boards.started(str(data["code"]), int(data["window"]))
        elif kind == "window.state" and data.get("state") != "serving":
            self.boards.state(int(data["window"]), str(data.get("state", "idle")))
        if self.desk is not None:
            self.desk.handle(event)

    def _submit(self, printer: str | None, job: Job) -> None:
        worker = self.workers.get(printer or "")
        if worker is not None:
            worker.submit(job)
        elif self.workers:
            log.warning("no printer for %r: give its kiosk or window a printer", job)

    def _show_call(self, code: str, window: int) -> None:
        self.boards.call(code, window)

    def _initial_boards(self) -> None:
        def op(ctx: Ctx) -> dict[int, str]:
            states = dict.fromkeys(ctx.session.exec(select(Window.number)).all(), "idle")
            rows = ctx.session.exec(select(WindowLive)).all()
            return states | {r.window_number: r.state for r in rows}

        self.boards.initial(self.queue.read(op))

    # --- printers ---

    def _adopter(self, name: str, names: set[str]) -> Callable[[str | None], bool]:
        """Which stored printer names ``name``'s worker takes up waiting tickets of: its own;
        the default printer's also those of none or of a printer no longer configured."""
        if name != self.default_printer:
            return lambda printer: printer == name
        return lambda printer: printer == name or printer not in names

    @staticmethod
    def _printer_status(worker: PrinterWorker) -> dict[str, Any]:
        status = worker.status()
        if not status["text"]:
            status["text"] = dict.fromkeys(languages(), "")
        return status


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
