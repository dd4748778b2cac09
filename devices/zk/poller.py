"""Supervises one terminal: download the log, then listen for live punches; reconnect with
exponential backoff; log one line when the terminal goes down and one when it recovers.

While listening, the terminal's record count is compared with what the poller has seen every
``reread_interval`` seconds: a live event that never came or could not be decoded shows as a
difference, and the log is read again (punches are idempotent, so nothing is counted twice).
A callback that fails (the database is down) is an outage like a dead link: the records are
kept in memory and handed again before the terminal is asked for anything else, and the log
stays on the terminal, so nothing is lost.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from devices.errors import DeviceUnavailable
from devices.events import BadRecord, Punch
from devices.zk.adapter import AttendanceLog, ZKClient
from devices.zk.settings import LeftDisabled, TransferCancelled

log = logging.getLogger(__name__)


class StorageFailed(Exception):
    """A callback could not take the records (e.g. the database refused the write)."""


class ZKPoller:
    """Runs until ``stop`` is set; hands punches (and bad records) to callbacks."""

    def __init__(
        self,
        make_client: Callable[[], ZKClient],
        on_punches: Callable[[Sequence[Punch]], None],
        *,
        on_bad: Callable[[Sequence[BadRecord]], None] | None = None,
        on_connect: Callable[[ZKClient], None] | None = None,
        on_check: Callable[[ZKClient], None] | None = None,
        on_log: Callable[[ZKClient, AttendanceLog], bool] | None = None,
        on_down: Callable[[ZKClient, Exception], None] | None = None,
        listen: bool = True,
        poll_interval: float = 300.0,
        keepalive: float = 60.0,
        reread_interval: float = 300.0,
        check_interval: float = 3600.0,
        backoff_initial: float = 1.0,
        backoff_max: float = 300.0,
    ) -> None:
        self._make_client = make_client
        self._on_punches = on_punches
        self._on_bad = on_bad or (lambda bad: None)
        self._on_connect = on_connect or (lambda client: None)
        self._on_check = on_check or (lambda client: None)
        self._on_log = on_log or (lambda client, result: False)
        self._on_down = on_down or (lambda client, exc: None)
        self._listen = listen
        self._poll_interval = poll_interval
        self._keepalive = keepalive
        self._reread_interval = reread_interval
        self._check_interval = check_interval
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._pending: tuple[list[Punch], list[BadRecord]] = ([], [])
        self._known = 0  # records on the terminal that the poller has handed on
        self.available: bool | None = None  # None until the first attempt
        self.last_error: str | None = None
        self.outages = 0  # how often the terminal went down (a short outage counts too)
        self.last_outage: str | None = None  # the error of the latest outage

    def run(self, stop: threading.Event) -> None:
        """Supervise the terminal until ``stop`` is set."""
        backoff = self._backoff_initial
        while not stop.is_set():
            client = self._make_client()
            try:
                self._flush()  # records a failed store left: before anything new
                client.connect()
                self._cycle(client, stop)
                backoff = self._backoff_initial
            except TransferCancelled as exc:
                # Stopping: the download was abandoned, its records stay on the terminal.
                log.info("zk %s: %s", client.device_sn, exc)
                if client.health.left_disabled:
                    self._down(client, LeftDisabled(f"{client.device_sn} may be left disabled"))
                break
            except Exception as exc:
                self._down(client, exc)
                stop.wait(backoff)
                backoff = min(backoff * 2, self._backoff_max)
            finally:
                client.close()
        if self.pending:  # still on the terminal: the next start downloads them again
            log.warning("zk poller stopped with %d records not stored", self.pending)

    def _cycle(self, client: ZKClient, stop: threading.Event) -> None:
        """Catch up with the stored log, then take live events until stop or failure."""
        self._on_connect(client)  # e.g. check the clock before trusting the log's times
        self._download(client)
        self._up(client)
        if not self._listen:
            stop.wait(self._poll_interval)
            return
        client.start_live()
        now = time.monotonic()
        quiet_since = reread_at = checked_at = now
        while not stop.is_set():
            events = client.read_events(timeout=1.0)
            now = time.monotonic()
            if events:
                quiet_since = now
                punches = [e for e in events if isinstance(e, Punch)]
                self._hand(punches, [e for e in events if isinstance(e, BadRecord)])
                self._known += len(punches)
            elif now - quiet_since >= self._keepalive:
                client.get_time()  # a dead link only shows when we ask something
                quiet_since = now
            if now - checked_at >= self._check_interval:
                self._on_check(client)  # e.g. clock drift of a terminal connected for weeks
                checked_at = now
            if now - reread_at >= self._reread_interval:
                if client.read_sizes().records != self._known:
                    self._download(client)  # an event was missed or unreadable
                    client.start_live()
                reread_at = time.monotonic()

    def _download(self, client: ZKClient) -> None:
        result = client.read_attendance()
        self._hand(result.punches, result.bad)
        # Stored: ``on_log`` may look at the log's fill and clear it (True when it did).
        self._known = 0 if self._on_log(client, result) else result.declared
        if client.health.left_disabled:
            raise LeftDisabled(f"{client.device_sn} may be left disabled (re-enable failed)")

    def _hand(self, punches: Sequence[Punch], bad: Sequence[BadRecord]) -> None:
        try:
            if punches:
                self._on_punches(punches)
            if bad:
                self._on_bad(bad)
        except Exception as exc:
            # Kept until stored: a failed batch is handed again, whole (storing is idempotent).
            self._pending[0].extend(punches)
            self._pending[1].extend(bad)
            raise StorageFailed(f"records not stored: {type(exc).__name__}: {exc}") from exc

    def _flush(self) -> None:
        punches, bad = self._pending
        if punches or bad:
            self._pending = ([], [])
            self._hand(punches, bad)

    @property
    def pending(self) -> int:
        """Records received but not stored yet."""
        return len(self._pending[0]) + len(self._pending[1])

    def _up(self, client: ZKClient) -> None:
        if self.available is not True:
            if self.available is False:
                log.info("zk %s is back", client.device_sn)
            self.available = True
            self.last_error = None

    def _down(self, client: ZKClient, exc: Exception) -> None:
        plain = isinstance(exc, DeviceUnavailable | StorageFailed)
        self.last_error = str(exc) if plain else f"{type(exc).__name__}: {exc}"
        if self.available is not False:
            if isinstance(exc, DeviceUnavailable):
                log.warning("zk %s unavailable: %s", client.device_sn, exc)
            else:
                log.error("zk %s stopped: %s", client.device_sn, exc, exc_info=exc)
            self.available = False
            self.outages += 1
        self.last_outage = self.last_error
        try:
            self._on_down(client, exc)
        except Exception:
            log.exception("zk %s: reporting the outage failed", client.device_sn)
