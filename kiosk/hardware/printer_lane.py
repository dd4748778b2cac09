"""One ticket printer of the queue with its own thread, jobs and state.

Theory of operation: every printer the hall file names (the main one, one per kiosk, a
window's own) gets a lane, so that a printer out of paper holds up only its own jobs. A lane
prints its jobs one at a time; a printer that refuses a job (out of paper, cover open,
offline, no link) raises one alert per incident through the outbox, and its state is
published on the bus (``device.printer``, with the printer's name) so the kiosk page can tell
citizens to note their number.
"""

from __future__ import annotations

import logging
import queue as jobs_queue
import threading
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from devices.errors import DeviceUnavailable
from devices.printer.adapter import PrinterNotReady, TicketPrinter
from devices.printer.protocol import NoticePrint, TicketPrint
from devices.printer.status import PrinterState
from hallbase.alerts import raise_alert
from hallbase.clock import Clock
from hallbase.db import write_session
from hallbase.words import languages
from kiosk.events import EventBus
from kiosk.hardware.printing import ALERT_KINDS, Job, PrintNotice, PrintTicket, printer_text

log = logging.getLogger(__name__)
TicketReader = Callable[[int], TicketPrint | None]
NoticeReader = Callable[[PrintNotice], NoticePrint | None]


class PrinterLane:
    """A printer's thread and state (see the module's docstring)."""

    def __init__(
        self,
        name: str,
        printer: TicketPrinter,
        *,
        engine: Engine,
        bus: EventBus,
        clock: Clock,
        zone: ZoneInfo,
        poll_s: float,
        tickets: TicketReader,
        notices: NoticeReader,
    ) -> None:
        self.name = name
        self.printer = printer
        self.engine = engine
        self.bus = bus
        self.clock = clock
        self.zone = zone
        self.poll_s = poll_s
        self._tickets = tickets
        self._notices = notices
        self.state = "unknown"
        self._incident: tuple[str, str] | None = None
        self._jobs: jobs_queue.Queue[Job | None] = jobs_queue.Queue(maxsize=500)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def ok(self) -> bool:
        """False during an incident."""
        return self._incident is None

    def start(self) -> None:
        """Start the printer's thread."""
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._loop, name=f"queue-printer-{self.name}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread and close the printer."""
        self._stop.set()
        self._jobs.put(None)  # wakes the thread
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self.printer.close()

    def enqueue(self, job: Job) -> None:
        """Queue a job for this printer (dropped with an error when 500 are waiting)."""
        try:
            self._jobs.put_nowait(job)
        except jobs_queue.Full:
            log.error("printer %s job queue full: %r dropped", self.name, job)

    def status(self) -> dict[str, Any]:
        """What the pages show about this printer."""
        text = printer_text(self.state) or dict.fromkeys(languages(), "")
        return {
            "name": self.name,
            "available": self.printer.available,
            "state": self.state,
            "ok": self.ok,
            "text": text,
        }

    def _loop(self) -> None:
        poll = self.poll_s or None
        while not self._stop.is_set():
            try:
                job = self._jobs.get(timeout=poll)
            except jobs_queue.Empty:
                self._check()
                continue
            if job is None:
                continue
            try:
                self._print(job)
            except Exception:
                log.exception("printer %s: printing %r failed", self.name, job)

    def _print(self, job: Job) -> None:
        try:
            if isinstance(job, PrintTicket):
                ticket = self._tickets(job.ticket_id)
                if ticket is None:
                    return
                result = self.printer.print_ticket(ticket)
            else:
                notice = self._notices(job)
                if notice is None:
                    return
                result = self.printer.print_notice(notice)
            if result.paper_near_end:
                self._paper_low()
        except PrinterNotReady as exc:
            self._down(ALERT_KINDS.get(exc.status.state, "printer_error"), str(exc))
        except DeviceUnavailable as exc:
            self._down("printer_offline", str(exc))
        else:
            self._up()

    def _check(self) -> None:
        try:
            status = self.printer.status()
        except DeviceUnavailable as exc:
            self._down("printer_offline", str(exc))
            return
        kind = ALERT_KINDS.get(status.state)
        if kind is not None:
            self._down(kind, f"printer reports {status.state.value}")
        elif status.state is not PrinterState.UNKNOWN:
            self._up()
            if status.state is PrinterState.PAPER_NEAR_END:
                self._paper_low()

    def _payload(self, **extra: Any) -> dict[str, Any]:
        return {"printer": self.printer.transport.name, "name": self.name, **extra}

    def _paper_low(self) -> None:
        """Tell the supervisors once a day that the roll is nearly used up (tickets still print)."""
        now = self.clock()
        link = self.printer.transport.name
        try:
            with write_session(self.engine) as session:
                raise_alert(
                    session,
                    kind="printer_paper_low",
                    key=f"{link}:{now.astimezone(self.zone).date().isoformat()}",
                    payload=self._payload(text=printer_text("printer_paper_low")),
                    now=now,
                    severity="info",
                )
        except Exception:
            log.exception("could not store the paper-low alert")

    def _down(self, kind: str, detail: str) -> None:
        if self._incident is not None and self._incident[0] == kind:
            return  # the same incident: one alert is enough
        now = self.clock()
        key = f"{self.printer.transport.name}:{now.strftime('%Y%m%dT%H%M%S')}"
        self._incident = (kind, key)
        self.state = kind
        try:
            with write_session(self.engine) as session:
                raise_alert(
                    session,
                    kind=kind,
                    key=key,
                    payload=self._payload(detail=detail, text=printer_text(kind)),
                    now=now,
                )
        except Exception:
            log.exception("could not store the printer alert %s", kind)
        self._publish()

    def _up(self) -> None:
        was = self._incident
        self._incident = None
        self.state = "ready"
        if was is not None:
            log.info("printer %s recovered after %s", self.name, was[0])
            self._publish()

    def _publish(self) -> None:
        self.bus.publish(
            "device.printer",
            {
                "printer": self.name,
                "ok": self.ok,
                "state": self.state,
                "text": printer_text(self.state),
            },
        )
