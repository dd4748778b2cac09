"""The ticket printer as the kiosk sees it: print, status, ``available``, reconnect.

Every job starts with a real-time status check over the same link.  That check also finds a
connection the printer dropped while idle (many network printers do): it is reopened once and
the check repeated, before any ticket byte is written.  A failure while the ticket itself is
being written is never retried, so a ticket cannot come out twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import TypeVar

from devices.common.health import LinkHealth
from devices.errors import DeviceUnavailable
from devices.printer.protocol import (
    NoticePrint,
    RenderOptions,
    TicketPrint,
    render_notice,
    render_ticket,
)
from devices.printer.status import (
    QUERIES,
    PrinterState,
    PrinterStatus,
    parse_status,
    status_request,
)
from devices.printer.transport import PrinterTransport

log = logging.getLogger(__name__)
T = TypeVar("T")

# States in which a job is refused rather than sent into a printer that cannot print it.
REFUSE = {
    PrinterState.OUT_OF_PAPER: "printer is out of paper (缺纸)",
    PrinterState.COVER_OPEN: "printer cover is open (纸仓盖未关)",
    PrinterState.ERROR: "printer reports an error (打印机故障)",
    PrinterState.OFFLINE: "printer is offline (脱机)",
}


class PrinterNotReady(DeviceUnavailable):
    """The printer answered, and its status says it cannot print now."""

    def __init__(self, message: str, status: PrinterStatus) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class PrintResult:
    """What happened to a job: the status checked before it was sent."""

    status: PrinterStatus

    @property
    def paper_near_end(self) -> bool:
        """True when the printer said its roll is nearly used up."""
        return bool(self.status.paper_near_end)


class TicketPrinter:
    """One ESC/POS printer behind a two-way transport; thread-safe."""

    def __init__(
        self,
        transport: PrinterTransport,
        *,
        options: RenderOptions | None = None,
        status_timeout: float = 0.5,
        check_status: bool = True,
    ) -> None:
        self.transport = transport
        self.options = options or RenderOptions()
        self.status_timeout = status_timeout
        self.check_status = check_status
        self._lock = threading.Lock()
        self._open = False
        self._health = LinkHealth(log, f"printer {transport.name}")
        self._near_end_logged = False

    @property
    def available(self) -> bool:
        """True after the last contact with the printer succeeded."""
        return self._health.available

    def __enter__(self) -> TicketPrinter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the link; the next call reopens it."""
        with self._lock:
            self.transport.close()
            self._open = False

    def status(self) -> PrinterStatus:
        """Query ``DLE EOT 1..4``; fields stay None (unknown) when the printer does not answer."""
        with self._lock:
            return self._run(self._query_status, retry=True)

    def print_ticket(self, ticket: TicketPrint) -> PrintResult:
        """Print one queue ticket; raises PrinterNotReady (out of paper...) or DeviceUnavailable."""
        return self._print(render_ticket(ticket, self.options))

    def print_notice(self, notice: NoticePrint) -> PrintResult:
        """Print a one-time notification (一次性告知单)."""
        return self._print(render_notice(notice, self.options))

    def _print(self, data: bytes) -> PrintResult:
        with self._lock:
            status = (
                self._run(self._query_status, retry=True) if self.check_status else PrinterStatus()
            )
            refusal = REFUSE.get(status.state)
            if refusal is not None:
                log.warning("printer %s refused a job: %s", self.transport.name, refusal)
                raise PrinterNotReady(f"{self.transport.name}: {refusal}", status)
            self._note_paper(status)
            self._run(lambda: self.transport.write(data), retry=False)
            return PrintResult(status)

    def _query_status(self) -> PrinterStatus:
        answers: dict[int, int | None] = {}
        for n in QUERIES:
            self.transport.discard_input()
            self.transport.write(status_request(n))
            reply = self.transport.read(1, self.status_timeout)
            answers[n] = reply[-1] if reply else None
            if reply:
                continue
            if n > 1:
                # A printer that answered query 1 is slow, not deaf: its late answer would be
                # read as the next query's (the four answers look alike), so the rest stay
                # unknown and the next use starts on a fresh link, without the late byte.
                log.debug("printer %s: no answer to status query %d", self.transport.name, n)
                self.transport.close()
                self._open = False
            break  # (a printer that ignores query 1 ignores the others; save their timeouts)
        return parse_status(answers)

    def _run(self, action: Callable[[], T], *, retry: bool) -> T:
        """Run ``action`` on an open link; reopen once if a kept-open link turned out dead."""
        reused = self._open
        for attempt in (1, 2):
            try:
                if not self._open:
                    self.transport.open()
                    self._open = True
                result = action()
            except OSError as exc:
                self.transport.close()
                self._open = False
                if retry and reused and attempt == 1:
                    log.debug("printer %s link dropped, reconnecting: %s", self.transport.name, exc)
                    continue
                self._health.down(exc)
                raise DeviceUnavailable(f"printer {self.transport.name}: {exc}") from exc
            self._health.up()
            return result
        raise AssertionError("unreachable")  # pragma: no cover

    def _note_paper(self, status: PrinterStatus) -> None:
        if status.paper_near_end and not self._near_end_logged:
            log.warning("printer %s paper near end (纸将尽)", self.transport.name)
        self._near_end_logged = bool(status.paper_near_end)
