"""A ticket printer's thread: tickets and one-time notices, one job at a time.

Every printer the hall file names (the main one, one per kiosk, a window's own) gets its own
worker, so that a printer out of paper holds up only its own jobs; ``name`` is the printer's
name, stored with each ticket's print state, sent with its alerts and its ``device.printer``
events.

Theory of operation: every ticket to print joins ``pending`` (oldest first; a ticket is there
once). The thread prints them in order; when the printer refuses one (out of paper, cover
open, offline, no link) the rest stay behind it, and every one of them is stored as
``waiting`` with the trouble as its cause (`kiosk.printstate`), so staff see what did not come
out and a restart finds them again. While tickets wait, the thread asks the printer for its
status every ``printer_retry_s``; once it can print, the waiting tickets come out in order,
each exactly once (a printed ticket is recorded before the next one starts, and a ticket
already recorded as printed is skipped unless staff asked for it again). A waiting ticket that
was called meanwhile is dropped (``failed``, ``already_called``) or printed, as
``[queue_devices] waiting_called`` says; a reprint staff asked for always prints. One alert per
incident goes through the outbox, and the printer's state is published as ``device.printer``.
On start the worker takes up the tickets stored as waiting for it (``adopts`` says which
printer names are its own: the main printer's worker also takes those of printers no longer
configured). A printer on a write-only link (USB printer class) cannot say that it is back:
once its link opens again it is tried.

``gate`` says whether this instance may drive the printer right now (the devices' lease,
`hallbase.lease`): a job that comes while it says no is dropped, and the waiting tickets stay
as they are stored, for the instance that holds the lease.
"""

from __future__ import annotations

import logging
import queue as jobs_queue
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from devices.errors import DeviceUnavailable
from devices.printer.adapter import PrinterNotReady, TicketPrinter
from devices.printer.protocol import TicketPrint
from devices.printer.status import PrinterState, PrinterStatus
from hallbase.alerts import raise_alert
from hallbase.clock import Clock
from hallbase.db import write_session
from hallbase.hallconfig.printers import MAIN
from hallbase.hallconfig.queue_devices import QueueDevicesSection
from kiosk.api.common import Queue
from kiosk.context import Ctx
from kiosk.hardware.printing import (
    ALERT_KINDS,
    Job,
    PrintNotice,
    PrintTicket,
    notice_print,
    printer_text,
    ticket_print,
)
from kiosk.models import TicketPrintState
from kiosk.printstate import record_failed, record_printed, record_waiting, waiting_now
from kiosk.records import TICKETS

log = logging.getLogger(__name__)
DOWN = "down"  # what `_print_ticket` answers when the printer refused the ticket


@dataclass(frozen=True, slots=True)
class TicketJob:
    """What printing one ticket needs to know, read in one transaction."""

    content: TicketPrint | None
    status: str
    day: date
    today: date
    print_state: str | None


def _ticket_job(ctx: Ctx, ticket_id: int, footer: str, public_url: str | None) -> TicketJob | None:
    ticket = TICKETS.get(ctx.session, ticket_id)
    if ticket is None:
        return None
    row = ctx.session.get(TicketPrintState, ticket_id)
    return TicketJob(
        ticket_print(ctx, ticket_id, footer, public_url),
        ticket.status,
        ticket.day,
        ctx.day,
        row.state if row is not None else None,
    )


class PrinterWorker:
    """The printer thread of the queue's devices (see the module's docstring)."""

    def __init__(
        self,
        printer: TicketPrinter,
        queue: Queue,
        config: QueueDevicesSection,
        *,
        clock: Clock,
        name: str = MAIN,
        gate: Callable[[], bool] = lambda: True,
        adopts: Callable[[str | None], bool] | None = None,
    ) -> None:
        self.name = name
        self.printer = printer
        self.gate = gate
        self.adopts = adopts or (lambda printer: printer in (None, name))
        self.queue = queue
        self.config = config
        self.clock = clock
        self.state = "unknown"
        self.pending: OrderedDict[int, bool] = OrderedDict()  # ticket id: staff asked for it
        self._held: dict[int, str] = {}  # ticket id: the cause stored for its wait
        self._incident: tuple[str, str] | None = None
        self._jobs: jobs_queue.Queue[Job | None] = jobs_queue.Queue(maxsize=500)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def ok(self) -> bool:
        """False during an incident (out of paper, cover open, offline...)."""
        return self._incident is None

    def start(self) -> None:
        """Start the printer thread (it first takes up the tickets stored as waiting)."""
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, name=f"queue-printer-{self.name}", daemon=True
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
        # Nothing left for a later run (a lease taken again): the database says what waits.
        self._jobs = jobs_queue.Queue(maxsize=500)
        self.pending.clear()
        self._held.clear()

    def submit(self, job: Job) -> None:
        """Queue a job for the printer thread (never blocks)."""
        try:
            self._jobs.put_nowait(job)
        except jobs_queue.Full:
            log.error("printer %s job queue full: %r dropped", self.name, job)

    def status(self) -> dict[str, Any]:
        """What the pages show about the printer."""
        return {
            "name": self.name,
            "available": self.printer.available,
            "state": self.state,
            "ok": self.ok,
            "text": printer_text(self.state),
            "waiting": len(self.pending),
        }

    # --- the thread ---

    def _run(self) -> None:
        try:
            self._recover()
        except Exception:
            log.exception("could not read the tickets waiting for the printer")
        poll = self.config.printer_poll_s or None
        while not self._stop.is_set():
            wait = self.config.printer_retry_s if self.pending else poll
            try:
                job = self._jobs.get(timeout=wait)
            except jobs_queue.Empty:
                self._idle()
                continue
            if job is None or not self.gate():
                continue
            try:
                if isinstance(job, PrintTicket):
                    asked = self.pending.get(job.ticket_id, False) or job.reprint
                    self.pending[job.ticket_id] = asked
                    self._flush()
                else:
                    self._print_notice(job)
            except Exception:
                log.exception("printing %r failed", job)

    def _recover(self) -> None:
        for ticket_id, asked, printer in self.queue.read(waiting_now):
            if not self.adopts(printer):
                continue
            self.pending[ticket_id] = asked
            self._held[ticket_id] = "?"  # stored as waiting; its cause is rewritten if it differs
        if self.pending:
            log.info("%d tickets wait for printer %s", len(self.pending), self.name)
            self._flush()

    def _idle(self) -> None:
        """No job came: print what waits once the printer can, else just check it."""
        if not self.gate():
            return
        if self.pending:
            self._flush()
        else:
            self._ready()

    def _ready(self) -> bool:
        """Ask the printer for its status: True when it says it can print."""
        try:
            status = self.printer.status()
        except DeviceUnavailable as exc:
            self._down("printer_offline", str(exc))
            return False
        kind = self._kind(status)
        if kind is not None:
            self._down(kind, f"printer reports {status.state.value}")
            return False
        if status.state is PrinterState.UNKNOWN and self.printer.check_status:
            return self.ok  # no answer during an incident is no proof that it is over
        if status.state is PrinterState.PAPER_NEAR_END:
            self._paper_low()
        self._up()
        return True

    def _flush(self) -> None:
        """Print the pending tickets in order; stop at the first the printer refuses. During
        an incident the printer must first say that it can print again."""
        if not self.ok and not self._ready():
            self._hold_pending()
            return
        while self.pending and not self._stop.is_set():
            if not self.gate():
                return
            ticket_id, asked = next(iter(self.pending.items()))
            if self._print_ticket(ticket_id, asked) == DOWN:
                self._hold_pending()
                return
            self.pending.pop(ticket_id, None)
            self._held.pop(ticket_id, None)

    def _print_ticket(self, ticket_id: int, asked: bool) -> str:
        footer, url = self.config.ticket_footer, self.queue.settings.public_url
        job = self.queue.read(lambda ctx: _ticket_job(ctx, ticket_id, footer, url))
        if job is None or job.content is None:
            return "gone"
        waited = job.print_state == "waiting"
        if not asked and job.print_state == "printed":
            return "printed before"
        if not asked and waited and job.day != job.today:
            self.queue.write(lambda ctx: record_failed(ctx, ticket_id, "expired"))
            return "expired"
        called = job.status != "waiting"
        if not asked and waited and called and self.config.waiting_called == "drop":
            log.info("ticket %d was called while it waited for the printer: dropped", ticket_id)
            self.queue.write(lambda ctx: record_failed(ctx, ticket_id, "already_called"))
            return "dropped"
        try:
            result = self.printer.print_ticket(job.content)
        except PrinterNotReady as exc:
            self._down(self._kind(exc.status) or "printer_error", str(exc))
            return DOWN
        except DeviceUnavailable as exc:
            self._down("printer_offline", str(exc))
            return DOWN
        self.queue.write(lambda ctx: record_printed(ctx, ticket_id, self.name))
        if result.paper_near_end:
            self._paper_low()
        self._up()
        return "printed"

    def _hold_pending(self) -> None:
        """Store every pending ticket as waiting, with the incident as its cause."""
        cause = self.state
        changed = [tid for tid in self.pending if self._held.get(tid) != cause]
        if not changed:
            return
        try:
            self.queue.write(lambda ctx: record_waiting(ctx, changed, cause, self.name))
        except Exception:
            log.exception("could not store that %d tickets wait for the printer", len(changed))
            return
        for ticket_id in changed:
            self._held[ticket_id] = cause

    def _print_notice(self, job: PrintNotice) -> None:
        notice = self.queue.read(lambda ctx: notice_print(ctx, job))
        if notice is None:
            return
        try:
            result = self.printer.print_notice(notice)
        except PrinterNotReady as exc:
            self._down(self._kind(exc.status) or "printer_error", str(exc))
            return
        except DeviceUnavailable as exc:
            self._down("printer_offline", str(exc))
            return
        if result.paper_near_end:
            self._paper_low()
        self._up()

    # --- incidents ---

    def _paper_low(self) -> None:
        """Tell the supervisors once a day that the roll is nearly used up (tickets still print)."""
        now = self.clock()
        name = self.printer.transport.name
        try:
            with write_session(self.queue.engine) as session:
                raise_alert(
                    session,
                    kind="printer_paper_low",
                    key=f"{name}:{now.astimezone(self.queue.settings.zone).date().isoformat()}",
                    payload=self._payload(text=printer_text("printer_paper_low")),
                    now=now,
                    severity="info",
                )
        except Exception:
            log.exception("could not store the paper-low alert")

    def _payload(self, **extra: Any) -> dict[str, Any]:
        return {"printer": self.printer.transport.name, "name": self.name, **extra}

    def _kind(self, status: PrinterStatus) -> str | None:
        """The incident ``status`` proves, if any. During an incident, "offline" with some of
        the other answers missing is that incident still: a printer out of paper or with its
        cover open says offline too, and the answer that would say which was not heard."""
        partial = None in (status.paper_end, status.cover_open, status.error)
        if self._incident is not None and status.state is PrinterState.OFFLINE and partial:
            return self._incident[0]
        return ALERT_KINDS.get(status.state)

    def _down(self, kind: str, detail: str) -> None:
        if self._incident is not None and self._incident[0] == kind:
            return  # the same incident: one alert is enough
        now = self.clock()
        name = self.printer.transport.name
        key = f"{name}:{now.strftime('%Y%m%dT%H%M%S')}"
        self._incident = (kind, key)
        self.state = kind
        try:
            with write_session(self.queue.engine) as session:
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
        state = self.state
        self.queue.bus.publish(
            "device.printer",
            {
                "printer": self.name,
                "ok": self.ok,
                "state": state,
                "text": printer_text(state),
                "waiting": len(self.pending),
            },
        )
