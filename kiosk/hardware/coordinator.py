"""The queue's devices wired to the queue: ticket printer, LED boards and call keypads.

Theory of operation: the component listens to the queue's event bus on its own thread and
never sits in a request's path, so a printer or a board that is down cannot hold up taking a
ticket or calling one. A ticket issued at the kiosk (``ticket.issued``, first leg) becomes a
print job, and a service finished with documents missing (``ticket.finished``) prints the
one-time notice (一次性告知单); jobs run on a printer thread, one at a time. A printer that
refuses a job (out of paper, cover open, offline, no link) raises one alert per incident
through the outbox, and its state is published on the bus (``device.printer``) so the kiosk
page can tell citizens to note their number. Calls blink on the window's board and on the hall
board; the board goes steady once service starts and shows the window's state when it is free.
Keypad presses become the same domain operations the window console calls, each in its own
transaction whose events are published after commit (`kiosk.hardware.keypads`).

With several instances on one database, each hears every instance's events; only the one that
holds the lease on the device set (`hallbase.lease`) opens the printer and the buses and acts
on them, the others open nothing until they take the lease over.
"""

from __future__ import annotations

import logging
import queue as jobs_queue
import secrets
import threading
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine
from sqlmodel import select

from devices.errors import DeviceUnavailable
from devices.led.adapter import LedBus
from devices.led.transport import SerialBus
from devices.printer.adapter import PrinterNotReady, TicketPrinter
from devices.printer.protocol import NoticePrint, TicketPrint
from devices.printer.status import PrinterState
from hallbase.alerts import raise_alert
from hallbase.clock import Clock
from hallbase.db import write_session
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
from kiosk.hardware.printing import (
    ALERT_KINDS,
    PARITY,
    Job,
    PrintNotice,
    PrintTicket,
    make_printer,
    notice_print,
    printer_text,
    ticket_print,
)
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
        self.printer = printer if printer is not None else make_printer(config)
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
        self.printer_state = "unknown"
        self._incident: tuple[str, str] | None = None
        self._jobs: jobs_queue.Queue[Job | None] = jobs_queue.Queue(maxsize=500)
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
        self._jobs = jobs_queue.Queue(maxsize=500)  # nothing left from an earlier lease
        sub = self.bus.subscribe(maxsize=2048)
        self._threads = [threading.Thread(target=self._listen, args=(sub,), name="queue-devices")]
        if self.printer is not None:
            self._threads.append(threading.Thread(target=self._print_loop, name="queue-printer"))
        for thread in self._threads:
            thread.daemon = True
            thread.start()
        if self.led is not None:
            self.led.start()
        self._initial_boards()  # the bus's boards and the board watchers
        if self.desk is not None:
            self.desk.start()

    def _close(self) -> None:
        """Stop the threads and close the devices (the lease was lost or given back)."""
        self._stop.set()
        self._jobs.put(None)  # wakes the printer thread
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout=10)
        self._threads = []
        if self.desk is not None:
            self.desk.stop()
        if self.led is not None:
            self.led.stop()
        if self.printer is not None:
            self.printer.close()

    def status(self) -> dict[str, Any]:
        """What the pages show about the devices."""
        text = printer_text(self.printer_state) or dict.fromkeys(languages(), "")
        return {
            "printer": None
            if self.printer is None
            else {
                "available": self.printer.available,
                "state": self.printer_state,
                "ok": self._incident is None,
                "text": text,
            },
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
            if event is None or not self.lease.confirm():
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
        if kind == "ticket.issued" and data.get("leg", 0) == 0 and self.printer is not None:
            self._enqueue(PrintTicket(int(data["ticket_id"])))
        elif kind == "ticket.finished" and data.get("notice") and self.printer is not None:
            documents = tuple(data["notice"].get("documents", ()))
            self._enqueue(PrintNotice(int(data["ticket_id"]), data.get("window"), documents))
        elif kind in ("ticket.called", "ticket.recalled"):
            self._show_call(str(data["code"]), int(data["window"]))
        elif kind == "ticket.started":
            self.boards.started(str(data["code"]), int(data["window"]))
        elif kind == "window.state" and data.get("state") != "serving":
            self.boards.state(int(data["window"]), str(data.get("state", "idle")))
        if self.desk is not None:
            self.desk.handle(event)

    def _enqueue(self, job: Job) -> None:
        try:
            self._jobs.put_nowait(job)
        except jobs_queue.Full:
            log.error("printer job queue full: %r dropped", job)

    def _show_call(self, code: str, window: int) -> None:
        self.boards.call(code, window)

    def _initial_boards(self) -> None:
        def op(ctx: Ctx) -> dict[int, str]:
            states = dict.fromkeys(ctx.session.exec(select(Window.number)).all(), "idle")
            rows = ctx.session.exec(select(WindowLive)).all()
            return states | {r.window_number: r.state for r in rows}

        self.boards.initial(self.queue.read(op))

    # --- printing ---

    def _print_loop(self) -> None:
        poll = self.config.printer_poll_s or None
        while not self._stop.is_set():
            try:
                job = self._jobs.get(timeout=poll)
            except jobs_queue.Empty:
                self._check_printer()
                continue
            if job is None or not self.lease.confirm():
                continue
            try:
                self._print(job)
            except Exception:
                log.exception("printing %r failed", job)

    def _print(self, job: Job) -> None:
        assert self.printer is not None
        try:
            if isinstance(job, PrintTicket):
                ticket = self._ticket_print(job.ticket_id)
                if ticket is None:
                    return
                result = self.printer.print_ticket(ticket)
            else:
                notice = self._notice_print(job)
                if notice is None:
                    return
                result = self.printer.print_notice(notice)
            if result.paper_near_end:
                self._paper_low()
        except PrinterNotReady as exc:
            self._printer_down(ALERT_KINDS.get(exc.status.state, "printer_error"), str(exc))
        except DeviceUnavailable as exc:
            self._printer_down("printer_offline", str(exc))
        else:
            self._printer_up()

    def _check_printer(self) -> None:
        assert self.printer is not None
        try:
            status = self.printer.status()
        except DeviceUnavailable as exc:
            self._printer_down("printer_offline", str(exc))
            return
        kind = ALERT_KINDS.get(status.state)
        if kind is not None:
            self._printer_down(kind, f"printer reports {status.state.value}")
        elif status.state is not PrinterState.UNKNOWN:
            self._printer_up()
            if status.state is PrinterState.PAPER_NEAR_END:
                self._paper_low()

    def _paper_low(self) -> None:
        """Tell the supervisors once a day that the roll is nearly used up (tickets still print)."""
        now = self.clock()
        assert self.printer is not None
        name = self.printer.transport.name
        try:
            with write_session(self.engine) as session:
                raise_alert(
                    session,
                    kind="printer_paper_low",
                    key=f"{name}:{now.astimezone(self.zone).date().isoformat()}",
                    payload={"printer": name, "text": printer_text("printer_paper_low")},
                    now=now,
                    severity="info",
                )
        except Exception:
            log.exception("could not store the paper-low alert")

    def _printer_down(self, kind: str, detail: str) -> None:
        if self._incident is not None and self._incident[0] == kind:
            return  # the same incident: one alert is enough
        now = self.clock()
        assert self.printer is not None
        name = self.printer.transport.name
        key = f"{name}:{now.strftime('%Y%m%dT%H%M%S')}"
        self._incident = (kind, key)
        self.printer_state = kind
        try:
            with write_session(self.engine) as session:
                raise_alert(
                    session,
                    kind=kind,
                    key=key,
                    payload={"printer": name, "detail": detail, "text": printer_text(kind)},
                    now=now,
                )
        except Exception:
            log.exception("could not store the printer alert %s", kind)
        self._publish_printer()

    def _printer_up(self) -> None:
        was = self._incident
        self._incident = None
        self.printer_state = "ready"
        if was is not None:
            log.info("printer recovered after %s", was[0])
            self._publish_printer()

    def _publish_printer(self) -> None:
        state = self.printer_state
        self.bus.publish(
            "device.printer",
            {"ok": self._incident is None, "state": state, "text": printer_text(state)},
        )

    def _ticket_print(self, ticket_id: int) -> TicketPrint | None:
        footer = self.config.ticket_footer
        return self.queue.read(lambda ctx: ticket_print(ctx, ticket_id, footer))

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
