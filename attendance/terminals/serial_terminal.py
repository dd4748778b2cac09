"""A serial punch reader under supervision: its records stored, its line counted as synced.

A reader keeps no log: what it sends while the line is up is all there is.  So a line that is
open and quiet (no partial record waiting) is synced up to now, and the days it covers can
become final.  A record the database refuses stays in memory and is stored again with
backoff; meanwhile the reader shows as down with the error.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

from attendance.terminals.sink import Sink
from devices.events import BadRecord, Punch
from devices.serial_reader.adapter import SerialReaderAdapter
from hallbase.hallconfig import DeviceEntry

log = logging.getLogger(__name__)
SYNC_EVERY = 5.0  # seconds between "synced up to now" marks on a healthy line
# A record's bytes take a moment to arrive: a sync mark stays this far behind the clock.
SYNC_MARGIN = timedelta(seconds=2)


class SerialTerminal:
    """A punch reader on a serial line."""

    def __init__(
        self,
        entry: DeviceEntry,
        sink: Sink,
        *,
        sync_every: float = SYNC_EVERY,
        backoff_initial: float = 1.0,
        backoff_max: float = 30.0,
    ) -> None:
        self.serial = entry.serial
        self.sink = sink
        self.adapter = SerialReaderAdapter(
            entry.address,
            device_sn=entry.serial,
            on_punch=self._take,
            on_bad=self._take,
            on_idle=self._idle,
            zone=ZoneInfo(entry.timezone or str(sink.settings.zone)),
            baudrate=entry.baudrate,
        )
        self._sync_every = sync_every
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._backoff = backoff_initial
        self._pending: list[Punch | BadRecord] = []
        self._lock = threading.Lock()
        self._retry_at = 0.0
        self._synced_at = 0.0
        self.storage_error: str | None = None
        self.outages = 0
        self.last_outage: str | None = None

    @property
    def available(self) -> bool | None:
        return self.adapter.available and self.storage_error is None

    @property
    def last_error(self) -> str | None:
        if self.storage_error is not None:
            return self.storage_error
        return None if self.adapter.available else "serial reader not reachable"

    @property
    def problem(self) -> None:
        """A serial reader reports no problem beyond its link (see `available`)."""
        return None

    def _take(self, record: Punch | BadRecord) -> None:
        with self._lock:
            self._pending.append(record)
        self._store()

    def _idle(self) -> None:
        """The line is open and quiet: store what waits, else mark the reader synced."""
        now = time.monotonic()
        if self._pending:
            self._store()
        elif now - self._synced_at >= self._sync_every and now >= self._retry_at:
            self._attempt(lambda: self.sink.synced(self.serial, self.sink.clock() - SYNC_MARGIN))
            if self.storage_error is None:
                self._synced_at = now

    def _store(self) -> None:
        if time.monotonic() < self._retry_at:
            return  # storage is down: wait for the backoff, the records stay in memory
        with self._lock:
            batch, self._pending = self._pending, []
        if not batch:
            return
        if not self._attempt(lambda: self.sink(batch, "serial")):
            with self._lock:
                self._pending[:0] = batch

    def _attempt(self, write: Callable[[], None]) -> bool:
        try:
            write()
        except Exception as exc:
            error = f"records not stored: {type(exc).__name__}: {exc}"
            if self.storage_error is None:
                log.error("serial reader %s: %s", self.serial, error)
                self.outages += 1
            self.storage_error = self.last_outage = error
            self._retry_at = time.monotonic() + self._backoff
            self._backoff = min(self._backoff * 2, self._backoff_max)
            return False
        if self.storage_error is not None:
            log.warning("serial reader %s: records stored again", self.serial)
            self.storage_error = None
        self._backoff = self._backoff_initial
        self._retry_at = 0.0
        return True

    def start(self) -> None:
        self.adapter.start()

    def request_stop(self) -> None:
        """Nothing to signal ahead: the reader stops within one read of its line."""

    def stop(self, timeout: float = 5.0) -> None:
        self.adapter.stop(min(5.0, max(0.0, timeout)))
        self._retry_at = 0.0  # one last try for records still waiting
        self._store()
        if self._pending:
            log.error(
                "serial reader %s: %d records not stored at stop: %r",
                self.serial,
                len(self._pending),
                [r.raw for r in self._pending],
            )
